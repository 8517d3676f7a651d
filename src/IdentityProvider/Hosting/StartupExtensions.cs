using IdentityProvider.Data;
using IdentityProvider.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

public static partial class StartupExtensions
{
    /// <summary>
    /// Brings the database to where the server can run: migrations (when configured), the first
    /// signing and encryption keys, and in Development the demo data.
    /// </summary>
    public static async Task InitializeIdentityProviderAsync(this IHost host, bool seedDevelopmentData, CancellationToken cancellationToken = default)
    {
        using var scope = host.Services.CreateScope();
        var services = scope.ServiceProvider;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("IdentityProvider.Startup");
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        services.GetRequiredService<SqliteDatabaseFile>().WarnIfCreated(logger);

        if (options.MigrateOnStart)
        {
            await MigrateAsync(services, cancellationToken);
        }
        else
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                LogPendingMigrations(logger, pending.Count);
                throw new InvalidOperationException(
                    $"The database schema is {pending.Count} migration(s) behind. Run the 'migrate' command, or set Database:MigrateOnStart=true.");
            }
        }

        await services.GetRequiredService<ServerKeyStore>().EnsureKeysAsync(cancellationToken);

        if (seedDevelopmentData && services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            await DevelopmentSeed.RunAsync(services, logger, cancellationToken);
        }
    }

    /// <summary>Applies pending migrations of the configured provider.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        services.GetRequiredService<SqliteDatabaseFile>().WarnIfCreated(
            services.GetRequiredService<ILoggerFactory>().CreateLogger("IdentityProvider.Startup"));
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
