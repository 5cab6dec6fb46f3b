using App.Data.Queue;
using App.Worker.Monitoring;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace App.Worker.Queue;

/// <summary>Registration of the job runner and its helpers.</summary>
public static class QueueWorkerSetup
{
    public static IServiceCollection AddQueueWorker(this IServiceCollection services)
    {
        services.AddSingleton(WorkerIdentity.New());
        services.TryAddSingleton<WorkerMetrics>();
        services.AddSingleton<JobHandlers>();
        services.AddSingleton<IJobHandler, NoopHandler>();
        services.AddSingleton<JobRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
        // How an idle worker hears of new jobs: the SQLite file's changes, or PostgreSQL's NOTIFY.
        services.AddSingleton<IHostedService>(sp => sp.GetService<ListenerConnection>() is null
            ? ActivatorUtilities.CreateInstance<QueueWakeup>(sp)
            : ActivatorUtilities.CreateInstance<PostgresWakeup>(sp));
        return services;
    }
}
