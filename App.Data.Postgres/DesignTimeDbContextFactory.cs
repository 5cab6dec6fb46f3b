using App.Data;
using App.Data.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace App.Data.Postgres.Migrations;

/// <summary>
/// Lets <c>dotnet ef</c> build the PostgreSQL context without a server (adding a migration
/// connects to nothing): <c>dotnet ef migrations add Name --project App.Data.Postgres --startup-project App.Data.Postgres</c>.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        PostgresSetup.Apply(options, PostgresSetup.DataSource("Host=localhost;Database=app;Username=postgres"));
        return new AppDbContext(options.Options);
    }
}
