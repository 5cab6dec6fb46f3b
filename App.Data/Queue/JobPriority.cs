namespace App.Data.Queue;

/// <summary>Conventional priorities.</summary>
public static class JobPriority
{
    public const int Background = 0;
    public const int User = 10;
}
