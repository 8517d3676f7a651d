using System.Collections.Immutable;
using System.Globalization;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// Consent of users to third-party clients (<c>clients add --consent explicit</c>): the decision is
/// an OpenIddict permanent authorization (user, client, scopes), so a later request for the same
/// or fewer scopes needs no screen, and its codes and tokens hang off it. First-party clients
/// (implicit consent) never get here. The portal lists and revokes through this service.
/// </summary>
public sealed class ConsentGrants(
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IOpenIddictTokenManager tokens,
    IdpDbContext db,
    AuditLog audit,
    TimeProvider time)
{
    public async ValueTask<bool> IsRequiredAsync(object application, CancellationToken cancellationToken = default) =>
        await applications.HasConsentTypeAsync(application, ConsentTypes.Explicit, cancellationToken);

    /// <summary>The valid permanent authorization of this user and client that covers every scope, if any.</summary>
    public async ValueTask<string?> FindAsync(Guid userId, object application, ImmutableArray<string> scopes, CancellationToken cancellationToken = default)
    {
        var applicationId = await applications.GetIdAsync(application, cancellationToken);
        await foreach (var authorization in authorizations.FindAsync(Subject(userId), applicationId, Statuses.Valid, AuthorizationTypes.Permanent, scopes, cancellationToken))
        {
            return await authorizations.GetIdAsync(authorization, cancellationToken);
        }

        return null;
    }

    /// <summary>
    /// Records "許可する": a permanent authorization for the scopes the client may have among those
    /// asked for (a forged form cannot grant more), audited in the same commit. Returns its id.
    /// </summary>
    public async Task<string> GrantAsync(ApplicationUser user, string clientId, IEnumerable<string> requested, CancellationToken cancellationToken = default)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken)
            ?? throw new InvalidOperationException("The client application cannot be found.");
        var permitted = await applications.GetPermissionsAsync(application, cancellationToken);
        var scopes = requested.Distinct(StringComparer.Ordinal)
            .Where(s => s == Scopes.OpenId || permitted.Contains(Permissions.Prefixes.Scope + s, StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToImmutableArray();

        var descriptor = new OpenIddictAuthorizationDescriptor
        {
            ApplicationId = await applications.GetIdAsync(application, cancellationToken),
            Subject = Subject(user.Id),
            Status = Statuses.Valid,
            Type = AuthorizationTypes.Permanent,
            CreationDate = time.GetUtcNow(),
        };
        descriptor.Scopes.UnionWith(scopes);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var authorization = await authorizations.CreateAsync(descriptor, cancellationToken);
        audit.Add(AuditKind.ConsentGranted, success: true, reason: string.Join(' ', scopes), user: user, subject: clientId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (await authorizations.GetIdAsync(authorization, cancellationToken))!;
    }

    /// <summary>Records "許可しない"; nothing else changes.</summary>
    public Task DenyAsync(ApplicationUser user, string clientId, CancellationToken cancellationToken = default) =>
        audit.WriteAsync(AuditKind.ConsentDenied, success: true, user: user, subject: clientId, cancellationToken: cancellationToken);

    /// <summary>Every client this user consented to, with the scopes allowed (the union of the decisions).</summary>
    public async Task<IReadOnlyList<ConsentGrant>> ListAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var grants = new Dictionary<string, (SortedSet<string> Scopes, DateTimeOffset? At)>(StringComparer.Ordinal);
        await foreach (var authorization in authorizations.FindBySubjectAsync(Subject(userId), cancellationToken))
        {
            if (!await authorizations.HasTypeAsync(authorization, AuthorizationTypes.Permanent, cancellationToken)
                || !await authorizations.HasStatusAsync(authorization, Statuses.Valid, cancellationToken)
                || await authorizations.GetApplicationIdAsync(authorization, cancellationToken) is not { } applicationId)
            {
                continue;
            }

            var created = await authorizations.GetCreationDateAsync(authorization, cancellationToken);
            if (!grants.TryGetValue(applicationId, out var grant))
            {
                grant = (new SortedSet<string>(StringComparer.Ordinal), created);
            }

            grant.Scopes.UnionWith(await authorizations.GetScopesAsync(authorization, cancellationToken));
            grants[applicationId] = (grant.Scopes, grant.At is { } at && created is { } c && c > at ? c : grant.At ?? created);
        }

        var result = new List<ConsentGrant>();
        foreach (var (applicationId, grant) in grants)
        {
            if (await applications.FindByIdAsync(applicationId, cancellationToken) is { } application)
            {
                result.Add(new ConsentGrant(
                    (await applications.GetClientIdAsync(application, cancellationToken))!,
                    await applications.GetDisplayNameAsync(application, cancellationToken),
                    grant.Scopes.ToList(),
                    grant.At));
            }
        }

        return result.OrderBy(g => g.ClientId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Withdraws the user's consent to the client: its permanent authorizations and every token
    /// issued under them are revoked (refresh tokens stop working at once; access tokens, JWTs, at
    /// resource servers that check them here). Returns how many authorizations were revoked.
    /// </summary>
    public async Task<int> RevokeAsync(ApplicationUser user, string clientId, CancellationToken cancellationToken = default)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (application is null)
        {
            return 0;
        }

        var applicationId = await applications.GetIdAsync(application, cancellationToken);
        var found = new List<object>();
        await foreach (var authorization in authorizations.FindAsync(Subject(user.Id), applicationId, Statuses.Valid, AuthorizationTypes.Permanent, scopes: null, cancellationToken))
        {
            found.Add(authorization);
        }

        if (found.Count == 0)
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var authorization in found)
        {
            await authorizations.TryRevokeAsync(authorization, cancellationToken);
            await tokens.RevokeByAuthorizationIdAsync((await authorizations.GetIdAsync(authorization, cancellationToken))!, cancellationToken);
        }

        audit.Add(AuditKind.ConsentRevoked, success: true, reason: found.Count.ToString(CultureInfo.InvariantCulture), user: user, subject: clientId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return found.Count;
    }

    private static string Subject(Guid userId) => userId.ToString();
}
