using App.Data.Queue;

namespace App.Tests.Queue;

public sealed class JobTransitionsTests
{
    public static TheoryData<JobState, JobState, bool> Matrix()
    {
        var allowed = new HashSet<(JobState, JobState)>
        {
            (JobState.Pending, JobState.Running),
            (JobState.Pending, JobState.Cancelled),
            (JobState.Running, JobState.Running),
            (JobState.Running, JobState.Succeeded),
            (JobState.Running, JobState.Pending),
            (JobState.Running, JobState.Failed),
            (JobState.Failed, JobState.Pending),
            (JobState.Cancelled, JobState.Pending),
        };
        var data = new TheoryData<JobState, JobState, bool>();
        foreach (var from in Enum.GetValues<JobState>())
        {
            foreach (var to in Enum.GetValues<JobState>())
            {
                data.Add(from, to, allowed.Contains((from, to)));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void IsAllowed_MatchesTheDeclaredStateMachine(JobState from, JobState to, bool expected) =>
        Assert.Equal(expected, JobTransitions.IsAllowed(from, to));

    [Fact]
    public void FinishedStates_LeadNowhereButBackToPending()
    {
        foreach (var to in Enum.GetValues<JobState>())
        {
            Assert.False(JobTransitions.IsAllowed(JobState.Succeeded, to));
        }
    }

    [Fact]
    public void StateNames_RoundTrip()
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            Assert.Equal(state, JobStateNames.Parse(state.ToName()));
        }
        Assert.Throws<FormatException>(() => JobStateNames.Parse("bogus"));
    }
}
