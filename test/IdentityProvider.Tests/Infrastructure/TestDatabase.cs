namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A fresh, empty database of the given kind: a new SQLite file, a new database on the shared
/// throwaway PostgreSQL server, or a new database on the shared SQL Server container where a Docker
/// engine answers (<see cref="SharedSqlServer"/>; elsewhere the SQL Server test is skipped).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? sqliteFolder;

    private TestDatabase(DatabaseKind kind, string connectionString, string? sqliteFolder = null)
    {
        Kind = kind;
        ConnectionString = connectionString;
        this.sqliteFolder = sqliteFolder;
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
                return new TestDatabase(kind, await SharedSqlServer.CreateDatabaseAsync());
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Kind == DatabaseKind.SqlServer)
        {
            await SharedSqlServer.DropDatabaseAsync(ConnectionString);
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
}
