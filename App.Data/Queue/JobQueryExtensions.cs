using System.Linq.Expressions;

namespace App.Data.Queue;

/// <summary>Query filters shared by the queue's statements.</summary>
internal static class JobQueryExtensions
{
    /// <summary>Rows in one of <paramref name="states"/>, as an OR of equalities (translates with the state converter).</summary>
    public static IQueryable<Job> InStates(this IQueryable<Job> jobs, IReadOnlyList<JobState> states) => jobs.Where(StateIn(states));

    /// <summary>The condition of <see cref="InStates"/>, for a compiled query to build in.</summary>
    public static Expression<Func<Job, bool>> StateIn(IReadOnlyList<JobState> states)
    {
        var job = Expression.Parameter(typeof(Job), "j");
        var state = Expression.Property(job, nameof(Job.State));
        Expression body = Expression.Equal(state, Expression.Constant(states[0]));
        for (var i = 1; i < states.Count; i++)
        {
            body = Expression.OrElse(body, Expression.Equal(state, Expression.Constant(states[i])));
        }
        return Expression.Lambda<Func<Job, bool>>(body, job);
    }
}
