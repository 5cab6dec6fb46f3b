namespace App.Data.Queue;

/// <summary>One named move of the state machine: from any of <see cref="From"/> to <see cref="To"/>.</summary>
public sealed record JobTransition(string Name, JobState[] From, JobState To);
