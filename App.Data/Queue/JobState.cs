namespace App.Data.Queue;

/// <summary>The life cycle of a job. Stored as lower-case text, guarded by a CHECK constraint.</summary>
public enum JobState
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>Text form of <see cref="JobState"/> as stored in the database and shown by the API.</summary>
public static class JobStateNames
{
    public static string ToName(this JobState state) => state switch
    {
        JobState.Pending => "pending",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static JobState Parse(string name)
    {
        foreach (var state in Enum.GetValues<JobState>())
        {
            if (state.ToName() == name)
            {
                return state;
            }
        }
        throw new FormatException($"Unknown job state '{name}'.");
    }

    /// <summary>All names, for the CHECK constraint.</summary>
    public static IEnumerable<string> All => Enum.GetValues<JobState>().Select(ToName);
}
