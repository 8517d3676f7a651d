using System.Collections.Concurrent;
using IdentityProvider.Authorization;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Clients;

/// <summary>
/// Registered applications across requests, by client_id and by id: every token request looks its
/// client up several times, and without this each request paid a query for it. Entries are detached
/// snapshots (never attached to a DbContext) and must not be changed. This node drops an entry at
/// once when it changes the application (<see cref="ClientApplicationManager"/>); changes made by
/// another node or process are seen within <see cref="OidcOptions.ClientCacheLifetime"/>.
/// </summary>
public sealed class ApplicationCache(TimeProvider time, IOptionsMonitor<OidcOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> byClientId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> byId = new(StringComparer.Ordinal);
    private long generation;

    /// <summary>Read before a database lookup, handed to <see cref="Add"/>: a load that raced an invalidation is not kept.</summary>
    public long Generation => Interlocked.Read(ref generation);

    public OpenIddictEntityFrameworkCoreApplication? FindByClientId(string clientId) => Find(byClientId, clientId);

    public OpenIddictEntityFrameworkCoreApplication? FindById(string id) => Find(byId, id);

    public void Add(OpenIddictEntityFrameworkCoreApplication application, long loadedAtGeneration)
    {
        var lifetime = options.CurrentValue.ClientCacheLifetime;
        if (lifetime <= TimeSpan.Zero || application.ClientId is null || application.Id is null || loadedAtGeneration != Generation)
        {
            return;
        }

        var entry = new Entry(application, time.GetUtcNow() + lifetime);
        byClientId[application.ClientId] = entry;
        byId[application.Id] = entry;
    }

    /// <summary>Drops everything: cheap (applications change rarely), and no stale alias survives.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref generation);
        byClientId.Clear();
        byId.Clear();
    }

    private OpenIddictEntityFrameworkCoreApplication? Find(ConcurrentDictionary<string, Entry> entries, string key)
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt <= time.GetUtcNow())
        {
            entries.TryRemove(KeyValuePair.Create(key, entry));
            return null;
        }

        return entry.Application;
    }

    private sealed record Entry(OpenIddictEntityFrameworkCoreApplication Application, DateTimeOffset ExpiresAt);
}
