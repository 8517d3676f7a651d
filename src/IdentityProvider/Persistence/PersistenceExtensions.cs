using IdentityProvider.Common;
using IdentityProvider.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence;

/// <summary>
/// The one registration of everything that knows a database engine: the pooled
/// <see cref="IdpDbContext"/> on the configured provider, SQLite's writing thread, the token
/// and authorization requests' unit of work (<see cref="OidcRequestWrites"/>), and OpenIddict's
/// EF Core stores on that context. Feature folders use what it registers through these
/// named services; none of them opens a connection or picks a provider itself.
/// </summary>
public static class PersistenceExtensions
{
    public static IHostApplicationBuilder AddIdpPersistence(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ApplicationCacheOptions>()
            .BindConfiguration(ApplicationCacheOptions.Section)
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
        AddContext(builder.Services, options.Provider, connectionString);
        AddOpenIddictStores(builder.Services);
        return builder;
    }

    /// <summary>The pooled context, its interceptors and, on SQLite, the writing thread.</summary>
    private static void AddContext(IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            services.AddSingleton<SqliteWriter>();
        }

        services.AddSingleton<OidcRequestWrites.Deferral>();
        services.AddScoped(OidcRequestWrites.Create);
        services.AddDbContextPool<IdpDbContext>((root, db) =>
        {
            Configure(db, provider, connectionString);

            db.AddInterceptors(root.GetRequiredService<OidcRequestWrites.Deferral>());
            if (provider == DatabaseProvider.Sqlite)
            {
                db.AddInterceptors(BusyTimeout);
            }
        });
    }

    /// <summary>OpenIddict's EF Core stores on <see cref="IdpDbContext"/>, and the unit of work's handlers.</summary>
    private static void AddOpenIddictStores(IServiceCollection services)
    {
        services.AddSingleton<ApplicationCache>();
        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdpDbContext>())
            .AddServer(server =>
            {
                // A token request's writes (redemption, new entries, a replay's revocation) and an
                // authorization request's (authorization, code) go to the database in one
                // transaction each, just before the response.
                server.AddEventHandler(OidcRequestWrites.StartTokenRequest.Descriptor)
                    .AddEventHandler(OidcRequestWrites.HoldConnection.Descriptor)
                    .AddEventHandler(OidcRequestWrites.FlushTokenResponse.Descriptor)
                    .AddEventHandler(OidcRequestWrites.StartAuthorizationSignIn.Descriptor)
                    .AddEventHandler(OidcRequestWrites.FlushAuthorizationResponse.Descriptor);
            });
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
    /// query — after every request, and several times in a login. They undo session state, which this
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
