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

        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString("Default");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("ConnectionStrings:Default is not set.");
        }

        if (options.Provider == DatabaseProvider.Sqlite)
        {
            connectionString = ResolveSqlitePath(connectionString, builder.Environment.ContentRootPath);
        }
        else if (options.Provider == DatabaseProvider.PostgreSql)
        {
            connectionString = WithAutoPrepare(connectionString);
        }

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
    /// Npgsql prepares a statement on the server once it has run twice on a connection, unless the
    /// connection string says otherwise: the token endpoint runs the same few statements on every
    /// request, and PostgreSQL then skips parsing and planning them.
    /// </summary>
    private static string WithAutoPrepare(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(k => k.Replace(" ", string.Empty).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            return connectionString;
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 64 }.ToString();
    }

    /// <summary>
    /// A relative SQLite file name is taken relative to the content root rather than the current
    /// directory, so that <c>dotnet run</c> from anywhere finds the same database.
    /// </summary>
    private static string ResolveSqlitePath(string connectionString, string contentRoot)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        if (sqlite.DataSource is { Length: > 0 } source && source != ":memory:" && !source.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = Path.IsPathRooted(source) ? source : Path.GetFullPath(Path.Combine(contentRoot, source));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            sqlite.DataSource = path;
        }

        return sqlite.ToString();
    }
}
