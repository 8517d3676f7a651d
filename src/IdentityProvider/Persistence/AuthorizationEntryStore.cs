using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Persistence;

/// <summary>
/// OpenIddict's EF Core authorization store, except that a new authorization's application comes
/// from <see cref="ApplicationCache"/> instead of a query. OpenIddict's store loads the application
/// row by id to attach it to every authorization it creates — once per login, for a client the
/// request has just looked up in the cache. A copy of the cached snapshot is attached unchanged
/// instead: the authorization's INSERT only needs its key, and the code's entry, created next in
/// the same request, finds the same tracked copy. A client unknown to the cache is still loaded.
/// </summary>
public sealed class AuthorizationEntryStore(
    ApplicationCache applications,
    IMemoryCache cache,
    IOpenIddictEntityFrameworkCoreContext context,
    IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options)
    : OpenIddictEntityFrameworkCoreAuthorizationStore(cache, context, options)
{
    public override async ValueTask SetApplicationIdAsync(OpenIddictEntityFrameworkCoreAuthorization authorization, string? identifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (string.IsNullOrEmpty(identifier) || applications.FindCachedById(identifier) is not { } cached)
        {
            await base.SetApplicationIdAsync(authorization, identifier, cancellationToken);
            return;
        }

        var db = await Context.GetDbContextAsync(cancellationToken);
        authorization.Application = db.Set<OpenIddictEntityFrameworkCoreApplication>().Local.FindEntry(identifier)?.Entity
            ?? AttachCopy(db, cached);
    }

    /// <summary>The snapshot is shared across requests and must stay detached: the context gets its own copy.</summary>
    private static OpenIddictEntityFrameworkCoreApplication AttachCopy(DbContext db, OpenIddictEntityFrameworkCoreApplication snapshot)
    {
        var copy = new OpenIddictEntityFrameworkCoreApplication();
        var entry = db.Entry(copy);
        entry.CurrentValues.SetValues(snapshot);
        entry.State = EntityState.Unchanged;
        return copy;
    }
}
