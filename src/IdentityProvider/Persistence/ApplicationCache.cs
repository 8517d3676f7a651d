using System.Collections.Concurrent;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Persistence;

/// <summary>
/// Registered applications across requests, by client_id and by id: every token request looks its
/// client up several times, and without this each lookup would be a query. Entries are detached
/// snapshots (never attached to a DbContext) and must not be changed. A miss loads the row with a
/// compiled no-tracking query. This node drops every entry at once when it changes an application
/// (<see cref="Invalidate"/>, called by the application manager); changes made by another node or
/// process are seen within <see cref="Lifetime"/>.
/// </summary>
public sealed class ApplicationCache(TimeProvider time, IOptionsMonitor<ApplicationCacheOptions> options)
{
    private static readonly CompiledQuery<Func<IdpDbContext, string, CancellationToken, Task<OpenIddictEntityFrameworkCoreApplication?>>> ByClientId =
        new(() => EF.CompileAsyncQuery((IdpDbContext context, string clientId, CancellationToken _) =>
            context.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking().FirstOrDefault(a => a.ClientId == clientId)));

    private static readonly CompiledQuery<Func<IdpDbContext, string, CancellationToken, Task<OpenIddictEntityFrameworkCoreApplication?>>> ById =
        new(() => EF.CompileAsyncQuery((IdpDbContext context, string id, CancellationToken _) =>
            context.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking().FirstOrDefault(a => a.Id == id)));

    private readonly ConcurrentDictionary<string, Entry> byClientId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> byId = new(StringComparer.Ordinal);
    private long generation;

    /// <summary>
    /// Moves with every <see cref="Invalidate"/>: read before a database load, so that a load that
    /// raced an invalidation is not kept, here or in anything else kept for <see cref="Lifetime"/>.
    /// </summary>
    public long Generation => Interlocked.Read(ref generation);

    /// <summary>How long an entry is served (<c>Oidc:ClientCacheLifetime</c>).</summary>
    public TimeSpan Lifetime => options.CurrentValue.ClientCacheLifetime;

    /// <summary>The application with <paramref name="clientId"/>, from the cache or else loaded (and kept).</summary>
    public async ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(IdpDbContext db, string clientId, CancellationToken cancellationToken)
    {
        if (Find(byClientId, clientId) is { } cached)
        {
            return cached;
        }

        var loadedAt = Generation;
        var application = await ByClientId.For(db)(db, clientId, cancellationToken);
        // A case-insensitive collation (SQL Server) may match another case: OpenIddict's manager filters the same way.
        if (application is null || !string.Equals(application.ClientId, clientId, StringComparison.Ordinal))
        {
            return null;
        }

        Add(application, loadedAt);
        return application;
    }

    /// <summary>The application with the primary key <paramref name="id"/>, from the cache or else loaded (and kept).</summary>
    public async ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByIdAsync(IdpDbContext db, string id, CancellationToken cancellationToken)
    {
        if (Find(byId, id) is { } cached)
        {
            return cached;
        }

        var loadedAt = Generation;
        var application = await ById.For(db)(db, id, cancellationToken);
        if (application is not null)
        {
            Add(application, loadedAt);
        }

        return application;
    }

    private void Add(OpenIddictEntityFrameworkCoreApplication application, long loadedAtGeneration)
    {
        var lifetime = Lifetime;
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
