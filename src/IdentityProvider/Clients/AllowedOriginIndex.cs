using System.Collections.Frozen;
using IdentityProvider.Persistence;
using OpenIddict.Abstractions;

namespace IdentityProvider.Clients;

/// <summary>
/// Every origin some registered client allows (<see cref="ClientSettings.AllowedOrigins"/>), for the
/// CORS answers that cannot tell which client asks (a preflight, userinfo). Loaded through the
/// application manager and kept like <see cref="ApplicationCache"/>'s entries: dropped when this node
/// changes a client (its generation moves), and reloaded after <see cref="ApplicationCache.Lifetime"/>
/// to see another node's changes; so one query per lifetime, not one per request.
/// </summary>
public sealed class AllowedOriginIndex(ApplicationCache cache, TimeProvider time)
{
    private Snapshot? current;

    public async ValueTask<bool> ContainsAsync(string origin, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var snapshot = Volatile.Read(ref current);
        if (snapshot is null || snapshot.Generation != cache.Generation || snapshot.ExpiresAt <= time.GetUtcNow())
        {
            snapshot = await LoadAsync(applications, cancellationToken);
            Volatile.Write(ref current, snapshot);
        }

        return snapshot.Origins.Contains(origin);
    }

    private async Task<Snapshot> LoadAsync(IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        // Read before loading: a change made while loading moves the generation, and the next call reloads.
        var generation = cache.Generation;
        var origins = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            origins.UnionWith(ClientSettings.Origins(await applications.GetSettingsAsync(application, cancellationToken)));
        }

        return new Snapshot(origins.ToFrozenSet(StringComparer.Ordinal), generation, time.GetUtcNow() + cache.Lifetime);
    }

    private sealed record Snapshot(FrozenSet<string> Origins, long Generation, DateTimeOffset ExpiresAt);
}
