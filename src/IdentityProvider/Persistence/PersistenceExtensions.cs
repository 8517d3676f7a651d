using IdentityProvider.Authorization;
using IdentityProvider.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Hosting;

public static class DatabaseExtensions
{
    /// <summary>Registers <see cref="IdpDbContext"/> (pooled) on the configured provider.</summary>
    public static IHostApplicationBuilder AddIdpDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var options = ReadOptions(builder.Configuration);
        var connectionString = builder.Configuration.GetConnectionString("Default");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupConfigurationException("ConnectionStrings:Default is not set.");
        }

        SqliteDatabaseFile? sqliteFile = null;
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            (connectionString, sqliteFile) = ResolveSqlitePath(connectionString, builder.Environment.ContentRootPath);
        }
        else if (options.Provider == DatabaseProvider.PostgreSql)
        {
            connectionString = WithNpgsqlDefaults(connectionString);
        }

        builder.Services.AddSingleton(sqliteFile ?? SqliteDatabaseFile.None);
        builder.Services.AddSingleton<SqliteWriteGate>();
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            builder.Services.AddSingleton<SqliteWriter>();
        }

        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<OidcRequestWrites.Deferral>();
        builder.Services.AddDbContextPool<IdpDbContext>((services, db) =>
        {
            Configure(db, options.Provider, connectionString);

            // First: a suppressed save must not take a turn at the SQLite write gate.
            db.AddInterceptors(services.GetRequiredService<OidcRequestWrites.Deferral>());
            if (options.Provider == DatabaseProvider.Sqlite)
            {
                db.AddInterceptors(services.GetRequiredService<SqliteWriteGate>(), BusyTimeout);
            }
        });
        return builder;
    }

    private static readonly SqliteBusyTimeout BusyTimeout = new();

    /// <summary>The section, with an unknown provider named in one line rather than the binder's exception.</summary>
    private static DatabaseOptions ReadOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection(DatabaseOptions.Section);
        var provider = section[nameof(DatabaseOptions.Provider)];
        if (provider is { Length: > 0 } && (!Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed)))
        {
            throw new StartupConfigurationException(
                $"Database:Provider: '{provider}' is not a supported database; use {string.Join(", ", Enum.GetNames<DatabaseProvider>())}.");
        }

        return section.Get<DatabaseOptions>() ?? new DatabaseOptions();
    }

    private static void Configure(DbContextOptionsBuilder db, DatabaseProvider provider, string connectionString)
    {
        // Each provider has its own migrations assembly (per-provider SQL and model snapshots).
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                db.UseSqlite(connectionString, o => o.MigrationsAssembly("IdentityProvider.Migrations.Sqlite"));
                break;
            case DatabaseProvider.SqlServer:
                db.UseSqlServer(connectionString, o => o.MigrationsAssembly("IdentityProvider.Migrations.SqlServer"));
                break;
            case DatabaseProvider.PostgreSql:
                db.UseNpgsql(connectionString, o => o.MigrationsAssembly("IdentityProvider.Migrations.PostgreSql"));
                break;
            default:
                throw new InvalidOperationException($"Unknown database provider '{provider}'.");
        }
    }

    /// <summary>
    /// Two Npgsql settings for this server's load, each unless the connection string sets it:
    /// <list type="bullet">
    /// <item><c>Max Auto Prepare=64</c>: a statement is prepared on the server once it has run twice
    /// on a connection. The token endpoint runs the same few statements on every request, and
    /// PostgreSQL then skips parsing and planning them.</item>
    /// <item><c>No Reset On Close=true</c>: a connection going back to the pool is not reset. The
    /// reset is seven statements (<c>RESET ALL</c>, <c>CLOSE ALL</c>, <c>UNLISTEN *</c>,
    /// <c>pg_advisory_unlock_all()</c>, ...) that the server runs before the connection's next
    /// query — after every request, and six times in a login. They undo session state, which this
    /// server never creates: no session <c>SET</c>, <c>LISTEN</c>, held cursors, temporary tables or
    /// session-level advisory locks (<c>PostgresSessionStateTests</c> checks that pooled connections
    /// after the flows look like a fresh one). An open transaction is still rolled back when a
    /// connection returns to the pool.</item>
    /// </list>
    /// </summary>
    private static string WithNpgsqlDefaults(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Sets(string keyword) =>
            given.Keys.Cast<string>().Any(k => k.Replace(" ", string.Empty).Equals(keyword, StringComparison.OrdinalIgnoreCase));

        var npgsql = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets("MaxAutoPrepare"))
        {
            npgsql.MaxAutoPrepare = 64;
        }

        if (!Sets("NoResetOnClose"))
        {
            npgsql.NoResetOnClose = true;
        }

        return npgsql.ToString();
    }

    /// <summary>
    /// A relative SQLite file name is taken relative to the content root rather than the current
    /// directory, so that <c>dotnet run</c> from anywhere finds the same database. Its folder is
    /// created; whether the file itself existed is kept, so that a new, empty database is said in the
    /// log (a mistyped path would otherwise look like a server that lost its data).
    /// </summary>
    private static (string ConnectionString, SqliteDatabaseFile? File) ResolveSqlitePath(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (sqlite.DataSource is not { Length: > 0 } source || source == ":memory:" || source.StartsWith("file:", StringComparison.Ordinal))
        {
            return (connectionString, null);
        }

        var path = Path.IsPathRooted(source) ? source : Path.GetFullPath(Path.Combine(contentRoot, source));
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException(
                $"ConnectionStrings:Default: cannot create the folder '{folder}' of the SQLite database ({exception.Message}).", exception);
        }

        sqlite.DataSource = path;
        return (sqlite.ToString(), new SqliteDatabaseFile(path, File.Exists(path)));
    }
}
