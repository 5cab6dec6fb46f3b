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
        services.AddHostedService<QueueWakeup>();
        return services;
    }
}
