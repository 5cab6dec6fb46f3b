namespace App.Tests.Support;

/// <summary>
/// A test class whose every test gets a migrated SQLite file of its own (xunit makes an instance
/// of the class per test), deleted after the test.
/// </summary>
public abstract class DatabaseTest : IAsyncLifetime
{
    protected TempDatabase Db { get; private set; } = null!;

    public async Task InitializeAsync() => Db = await TempDatabase.CreateAsync();

    public Task DisposeAsync()
    {
        Db.Dispose();
        return Task.CompletedTask;
    }
}
