using System.Net.Sockets;
using Testcontainers.MsSql;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database of the given kind: a new SQLite file, a new database on the shared
/// throwaway PostgreSQL server, or a SQL Server container where a Docker engine answers.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? sqliteFolder;
    private readonly MsSqlContainer? container;

    private TestDatabase(DatabaseKind kind, string connectionString, string? sqliteFolder = null, MsSqlContainer? container = null)
    {
        Kind = kind;
        ConnectionString = connectionString;
        this.sqliteFolder = sqliteFolder;
        this.container = container;
    }

    public DatabaseKind Kind { get; }

    public string ConnectionString { get; }

    /// <summary>The <c>Database:Provider</c> value for this kind.</summary>
    public string Provider => Kind.ToString();

    public static async Task<TestDatabase> CreateAsync(DatabaseKind kind)
    {
        switch (kind)
        {
            case DatabaseKind.Sqlite:
                var folder = Directory.CreateTempSubdirectory("idp-test-").FullName;
                return new TestDatabase(kind, $"Data Source={Path.Combine(folder, "idp.db")}", sqliteFolder: folder);
            case DatabaseKind.PostgreSql:
                var cluster = await SharedPostgres.GetAsync();
                return new TestDatabase(kind, await cluster.CreateDatabaseAsync());
            case DatabaseKind.SqlServer:
                if (!DockerAnswers(out var why))
                {
                    // Explicit, logged condition: SQL Server needs a Docker engine, which this machine lacks.
                    // The same test cases run on SQLite and PostgreSQL.
                    Assert.Ignore($"SQL Server tests skipped: {why}");
                }

                var sql = new MsSqlBuilder("mcr.microsoft.com/mssql/server:2022-latest").Build();
                await sql.StartAsync();
                return new TestDatabase(kind, sql.GetConnectionString(), container: sql);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (container is not null)
        {
            await container.DisposeAsync();
        }

        if (sqliteFolder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(sqliteFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a finishing request; the temp folder is cleaned by the OS.
            }
        }
    }

    private static bool DockerAnswers(out string why)
    {
        var socket = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host && host.StartsWith("unix://", StringComparison.Ordinal)
            ? host["unix://".Length..]
            : "/var/run/docker.sock";
        if (!File.Exists(socket))
        {
            why = $"no Docker engine socket at {socket}";
            return false;
        }

        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(socket));
            why = string.Empty;
            return true;
        }
        catch (SocketException e)
        {
            why = $"the Docker engine socket at {socket} does not answer ({e.SocketErrorCode})";
            return false;
        }
    }
}
