using App.Data.Queue;

namespace App.Worker.Queue;

/// <summary>A job claimed ahead, with when it was claimed (a Stopwatch timestamp): its wait for a slot is measured.</summary>
internal readonly record struct ReadyJob(ClaimedJob Job, long ClaimedAt);
