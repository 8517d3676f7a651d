using System.Net.Sockets;
using Microsoft.Data.SqlClient;
using Testcontainers.MsSql;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// One SQL Server container (Testcontainers.MsSql) per test process, started on first use, with a
/// fresh database per <see cref="TestDatabase"/> on it, like <see cref="SharedPostgres"/>. Where no
/// Docker engine answers, every SQL Server test is skipped with <see cref="SkipReason"/>; the same
/// test cases run on SQLite and PostgreSQL.
/// </summary>
/// <remarks>
/// One container rather than one per fixture: SQL Server takes several seconds and about 2 GB to
/// start, and some fixtures start a server per test. Testcontainers' resource reaper removes the
/// container when the test process ends, however it ends.
/// </remarks>
public static class SharedSqlServer
{
    private const string Image = "mcr.microsoft.com/mssql/server:2022-latest";

    private static readonly Lazy<string?> Unavailable = new(WhyNoDockerEngine, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lazy<Task<MsSqlContainer>> Container = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why SQL Server tests do not run here, or null where a Docker engine answers.</summary>
    public static string? SkipReason => Unavailable.Value;

    /// <summary>
    /// A new, empty database on the shared server, as a connection string. Skips the calling test
    /// (or the fixture whose set-up calls it) where no Docker engine answers.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        if (SkipReason is { } reason)
        {
            Assert.Ignore(reason);
        }

        var server = (await Container.Value).GetConnectionString();
        var name = "idp_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server, $"CREATE DATABASE [{name}];");
        return new SqlConnectionStringBuilder(server) { InitialCatalog = name }.ConnectionString;
    }

    /// <summary>Drops a database of <see cref="CreateDatabaseAsync"/>, closing whatever connections a test left open.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new SqlConnectionStringBuilder(connectionString);
        var name = database.InitialCatalog;
        SqlConnection.ClearAllPools();
        database.InitialCatalog = "master";
        await ExecuteAsync(database.ConnectionString, $"ALTER DATABASE [{name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{name}];");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new SqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<MsSqlContainer> StartAsync()
    {
        var container = new MsSqlBuilder(Image).Build();
        await container.StartAsync().ConfigureAwait(false);
        return container;
    }

    /// <summary>
    /// Whether the Docker engine that Testcontainers would use answers: <c>DOCKER_HOST</c>
    /// (<c>unix://</c> or <c>tcp://</c>), else the default socket. One plain sentence when it does
    /// not, the same for every skipped test.
    /// </summary>
    private static string? WhyNoDockerEngine()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } configured ? configured : "unix:///var/run/docker.sock";
        try
        {
            var endpoint = new Uri(host);
            var unix = endpoint.Scheme == "unix";
            using var client = unix ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) : new Socket(SocketType.Stream, ProtocolType.Tcp);
            var connecting = unix ? client.ConnectAsync(new UnixDomainSocketEndPoint(endpoint.AbsolutePath)) : client.ConnectAsync(endpoint.Host, endpoint.Port);
            if (connecting.Wait(TimeSpan.FromSeconds(5)))
            {
                return null;
            }
        }
        catch (Exception e) when (e is SocketException or AggregateException or UriFormatException or ArgumentException)
        {
            // Does not answer: the sentence below.
        }

        return $"SQL Server tests skipped: no Docker engine answers at {host}.";
    }
}
