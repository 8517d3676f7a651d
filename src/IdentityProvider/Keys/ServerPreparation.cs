using IdentityProvider.Persistence;

namespace IdentityProvider.Keys;

/// <summary>
/// What the server and every operator command need before anything else: the database schema
/// current (migrated when configured, <see cref="DatabaseSchema"/>) and the first signing and
/// encryption keys in it. One place, so that the server's start and the CLI cannot drift apart.
/// </summary>
public static class ServerPreparation
{
    /// <summary>Checks or migrates the schema, then creates any missing key.</summary>
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await DatabaseSchema.EnsureCurrentAsync(services, cancellationToken);
        await services.GetRequiredService<ServerKeyStore>().EnsureKeysAsync(cancellationToken);
    }

    /// <summary>The <c>migrate</c> command: applies pending migrations whatever the configuration says, then creates any missing key.</summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await DatabaseSchema.MigrateAsync(services, cancellationToken);
        await services.GetRequiredService<ServerKeyStore>().EnsureKeysAsync(cancellationToken);
    }
}
