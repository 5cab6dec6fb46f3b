using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using App.Data;
using App.Data.Postgres;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace App.Tests.Support;

/// <summary>
/// The PostgreSQL server the tests run against: the one <c>TEST_POSTGRES</c> names (a connection
/// string whose user may create databases), or else a throwaway cluster of this test run
/// (<c>initdb</c> into a temp folder, <c>pg_ctl start</c> on a free port of 127.0.0.1, fsync off;
/// as root through <c>runuser -u postgres</c>), stopped when the run ends. One template database
/// is migrated once; each test database is a copy of it (<c>CREATE DATABASE … TEMPLATE</c>, about
/// 90 ms, where migrating one took seconds).
/// </summary>
public static class PostgresServer
{
    private const string Template = "app_template";

    private static readonly Lazy<Task<string>> Server = new(StartAsync);
    private static int _databases;

    /// <summary>A fresh, migrated database of its own; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await Server.Value;
        var name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{Template}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/> (its connections are ended).</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(await Server.Value);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        var admin = Environment.GetEnvironmentVariable("TEST_POSTGRES") is { Length: > 0 } given
            ? new NpgsqlConnectionStringBuilder(given) { Database = "postgres" }.ConnectionString
            : await Cluster.StartAsync();
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Template}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Template}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var template = new NpgsqlConnectionStringBuilder(admin) { Database = Template, Pooling = false }.ConnectionString;
        var options = new DbContextOptionsBuilder<AppDbContext>();
        await using (var dataSource = PostgresSetup.DataSource(template))
        {
            PostgresSetup.Apply(options, dataSource);
            await using var db = new AppDbContext(options.Options);
            await DatabaseSetup.MigrateAsync(db, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10));
        }
        // A template may not be copied while anyone is connected to it.
        NpgsqlConnection.ClearAllPools();
        return admin;
    }

    /// <summary>A cluster in a temp folder, for this test run only.</summary>
    private static class Cluster
    {
        public static async Task<string> StartAsync()
        {
            var bin = FindBin();
            var folder = Directory.CreateTempSubdirectory("pgtest.").FullName;
            var asRoot = Environment.UserName == "root";
            if (asRoot)
            {
                await RunAsync("chown", ["postgres:postgres", folder]);
            }
            var port = FreePort();
            var data = Path.Combine(folder, "data");
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asRoot);
            await RunAsync(Path.Combine(bin, "pg_ctl"), [
                "-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                "start"], asRoot);
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot).GetAwaiter().GetResult();
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception)
                {
                    // The run is ending: a cluster left behind is only a temp folder.
                }
            };
            return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        }

        private static string FindBin()
        {
            var candidates = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
                : [];
            return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")))
                ?? throw new InvalidOperationException(
                    "PostgreSQL's server programs were not found under /usr/lib/postgresql/*/bin: install Debian's postgresql package or set TEST_POSTGRES.");
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        private static async Task RunAsync(string program, string[] arguments, bool asPostgres = false)
        {
            var start = new ProcessStartInfo(asPostgres ? "runuser" : program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (asPostgres)
            {
                foreach (var a in new[] { "-u", "postgres", "--", program })
                {
                    start.ArgumentList.Add(a);
                }
            }
            foreach (var a in arguments)
            {
                start.ArgumentList.Add(a);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
            }
        }
    }
}
