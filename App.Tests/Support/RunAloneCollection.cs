namespace App.Tests.Support;

/// <summary>
/// Tests that measure how processes take turns at SQLite's write lock. They run after the parallel
/// test classes, by themselves: on two cores the load of the rest decides whether a waiting
/// process gets a core in time, whatever the code under test does.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAloneCollection
{
    public const string Name = "run alone";
}
