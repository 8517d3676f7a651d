using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// Builds the principal behind every token issued to a user: at the authorization endpoint from the
/// session, at the token endpoint from the stored code or refresh token. One place, so that the
/// claims a relying party sees never depend on which endpoint issued them.
/// </summary>
public sealed class OidcPrincipalFactory(IdpDbContext db)
{
    public Task<ApplicationUser?> FindUserAsync(string? subject, CancellationToken cancellationToken) =>
        Guid.TryParse(subject, out var id)
            ? db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken)
            : Task.FromResult<ApplicationUser?>(null);

    /// <summary>A fresh principal for an authorization request.</summary>
    public ClaimsPrincipal Create(ApplicationUser user, SessionFacts session, ImmutableArray<string> scopes)
    {
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetScopes(scopes);
        return Complete(identity, user, session);
    }

    /// <summary>
    /// A principal for a token request, starting from the stored one so that OpenIddict's own claims
    /// (authorization id, scopes, presenters) carry over, with the user's claims read again.
    /// </summary>
    public ClaimsPrincipal Refresh(ClaimsPrincipal stored, ApplicationUser user)
    {
        var identity = new ClaimsIdentity(stored.Claims, TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        var session = SessionFacts.From(stored) ?? throw new InvalidOperationException("The stored principal has no auth_time.");
        return Complete(identity, user, session);
    }

    private static ClaimsPrincipal Complete(ClaimsIdentity identity, ApplicationUser user, SessionFacts session)
    {
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.EmailVerified, user.EmailConfirmed)
            .SetClaim(Claims.Name, user.DisplayName ?? user.Email)
            .SetClaim(IdpClaims.TenantId, user.TenantId.ToString())
            .SetClaim(Claims.Role, user.Role.ToString())
            .SetClaim(IdpClaims.LoginMethod, user.LoginMethod.ToString())
            .SetClaim(Claims.AuthenticationTime, session.AuthenticatedAt.ToUnixTimeSeconds());

        // amr is a JSON array even with one member (OIDC Core §2).
        identity.RemoveClaims(Claims.AuthenticationMethodReference);
        identity.AddClaim(new Claim(Claims.AuthenticationMethodReference, JsonSerializer.Serialize(session.Methods), JsonClaimValueTypes.JsonArray));

        identity.SetDestinations(ClaimDestinations.For);
        return new ClaimsPrincipal(identity);
    }
}
