using System.Security.Claims;
using App.Data;
using App.Data.Accounts;
using App.Data.Queue;
using App.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace App.Web.Jobs;

/// <summary>
/// <c>/api/jobs</c>, <c>/api/queue</c> and <c>/api/workers/presence</c>: a job's progress, retry
/// and cancel (for the jobs of the caller's feeds), the queue's counts (for administrators), and
/// whether any worker is alive.
/// </summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");
        jobs.MapGet("/{id:long}", GetAsync);
        jobs.MapPost("/{id:long}/retry", RetryAsync);
        jobs.MapPost("/{id:long}/cancel", CancelAsync);
        app.MapGet("/api/queue", QueueAsync).WithTags("Jobs").RequireAuthorization(AccountsSetup.AdminPolicy);
        // What the "no worker" banner polls: a read of the few worker rows, not the queue's counts over every job.
        app.MapGet("/api/workers/presence", async (WorkerPresence presence, CancellationToken ct) =>
            TypedResults.Ok(new WorkerPresenceResponse(await presence.AnyAliveAsync(ct)))).WithTags("Jobs");
        return app;
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await FindAsync(db, caller, id, ct) is { } job ? TypedResults.Ok(job) : NotFound(id);
    }

    /// <summary>A failed or cancelled job goes back to pending with fresh attempts.</summary>
    public static Task<Results<Accepted<JobResponse>, ProblemHttpResult>> RetryAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, JobQueue queue, CancellationToken ct) =>
        ChangeAsync(id, caller, contexts, queue.RetryAsync, job => JobTransitions.Retry.From.Any(s => s.ToName() == job.State)
            ? $"Job {id} cannot be retried while another job for the same work is pending or running."
            : $"Job {id} is {job.State}; only a failed or cancelled job can be retried.", ct);

    /// <summary>A pending job is cancelled.</summary>
    public static Task<Results<Accepted<JobResponse>, ProblemHttpResult>> CancelAsync(
        long id, ClaimsPrincipal caller, IDbContextFactory<AppDbContext> contexts, JobQueue queue, CancellationToken ct) =>
        ChangeAsync(id, caller, contexts, queue.CancelAsync,
            job => $"Job {id} is {job.State}; only a pending job can be cancelled.", ct);

    public static async Task<Ok<QueueResponse>> QueueAsync(IDbContextFactory<AppDbContext> contexts, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return TypedResults.Ok(QueueResponse.From(await QueueStats.ReadAsync(db, ct)));
    }

    private static async Task<Results<Accepted<JobResponse>, ProblemHttpResult>> ChangeAsync(
        long id,
        ClaimsPrincipal caller,
        IDbContextFactory<AppDbContext> contexts,
        Func<long, CancellationToken, Task<bool>> change,
        Func<JobResponse, string> refusal,
        CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await FindAsync(db, caller, id, ct) is null)
        {
            return NotFound(id);
        }
        var changed = await change(id, ct);
        // The queue answers only "changed or not"; the job's current row tells 404 from 409.
        return await FindAsync(db, caller, id, ct) switch
        {
            null => NotFound(id),
            var job when changed => TypedResults.Accepted($"/api/jobs/{id}", job),
            var job => TypedResults.Problem(refusal(job), statusCode: StatusCodes.Status409Conflict),
        };
    }

    /// <summary>The job if the caller may see it (see <see cref="UserScope.JobsOf"/>).</summary>
    private static async Task<JobResponse?> FindAsync(AppDbContext db, ClaimsPrincipal caller, long id, CancellationToken ct) =>
        await db.JobsOf(caller.UserId(), caller.IsAdmin()).AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct) is { } job
            ? JobResponse.From(job)
            : null;

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem($"There is no job {id}.", statusCode: StatusCodes.Status404NotFound);
}
