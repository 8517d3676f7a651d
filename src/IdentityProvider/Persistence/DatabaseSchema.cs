using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Persistence;

/// <summary>
/// The schema of the configured database at start: migrated when <c>Database:MigrateOnStart</c> is
/// set (or by the <c>migrate</c> command), otherwise checked, so that a server never runs on a schema
/// its code does not expect.
/// </summary>
public static partial class DatabaseSchema
{
    /// <summary>The log category of start-up steps.</summary>
    private const string StartupCategory = "IdentityProvider.Startup";

    /// <summary>Migrates when configured to; otherwise refuses to go on while migrations are pending.</summary>
    /// <exception cref="InvalidOperationException">Migrations are pending and the configuration does not apply them.</exception>
    public static async Task EnsureCurrentAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupCategory);
        services.GetRequiredService<SqliteDatabaseFile>().WarnIfCreated(logger);
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStart)
        {
            await MigrateAsync(services, cancellationToken);
            return;
        }

        var db = services.GetRequiredService<IdpDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            LogPendingMigrations(logger, pending.Count);
            throw new InvalidOperationException(
                $"The database schema is {pending.Count} migration(s) behind. Run the 'migrate' command, or set Database:MigrateOnStart=true.");
        }
    }

    /// <summary>Applies pending migrations of the configured provider.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        services.GetRequiredService<SqliteDatabaseFile>().WarnIfCreated(
            services.GetRequiredService<ILoggerFactory>().CreateLogger(StartupCategory));
        var db = services.GetRequiredService<IdpDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Readers do not block the writer: the login page stays responsive while tokens are written.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The database has {Count} pending migration(s); refusing to start.")]
    private static partial void LogPendingMigrations(ILogger logger, int count);
}
