using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Persistence;

/// <summary>
/// OpenIddict's EF Core token store with its lookup by id as a compiled query. That lookup runs for
/// every code redemption and refresh, and wherever an access token's entry is checked (userinfo,
/// introspection, revocation, the admin API): the same query as OpenIddict's — the token with its
/// application and authorization, tracked, so that redeeming or revoking it updates that row — minus
/// the LINQ translation and query-cache lookup EF Core does for an ad hoc query on every call
/// (<c>bench/TokenLookup</c> compares the two).
/// </summary>
public sealed class TokenEntryStore(
    IMemoryCache cache,
    IOpenIddictEntityFrameworkCoreContext context,
    IOptionsMonitor<OpenIddictEntityFrameworkCoreOptions> options)
    : OpenIddictEntityFrameworkCoreTokenStore(cache, context, options)
{
    private static readonly CompiledQuery<Func<IdpDbContext, string, CancellationToken, Task<OpenIddictEntityFrameworkCoreToken?>>> ById =
        new(() => EF.CompileAsyncQuery((IdpDbContext db, string id, CancellationToken _) =>
            db.Set<OpenIddictEntityFrameworkCoreToken>()
                .Include(token => token.Application)
                .Include(token => token.Authorization)
                .AsTracking()
                .FirstOrDefault(token => token.Id == id)));

    public override async ValueTask<OpenIddictEntityFrameworkCoreToken?> FindByIdAsync(string identifier, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        var db = (IdpDbContext)await Context.GetDbContextAsync(cancellationToken);

        // Like OpenIddict's: an entry this request already holds (one it just created or redeemed)
        // is that instance, not a second copy read back from the database.
        foreach (var entry in db.ChangeTracker.Entries<OpenIddictEntityFrameworkCoreToken>())
        {
            if (string.Equals(entry.Entity.Id, identifier, StringComparison.Ordinal))
            {
                return entry.Entity;
            }
        }

        return await ById.For(db)(db, identifier, cancellationToken);
    }
}
