namespace App.Worker.Queue;

/// <summary>Turns an exception into the one-sentence <c>lastError</c> a person reads; the stack goes to the log only.</summary>
public static class JobErrors
{
    public static string Describe(Exception e) => e switch
    {
        TimeoutException or TaskCanceledException => "Timed out.",
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        _ when string.IsNullOrWhiteSpace(e.Message) => e.GetType().Name,
        _ => e.Message.Trim(),
    };
}
