using System.Security.Claims;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>The one place that decides which token each claim goes into (OIDC Core §5.4).</summary>
public static class ClaimDestinations
{
    private static readonly string[] Both = [Destinations.AccessToken, Destinations.IdentityToken];

    public static IEnumerable<string> For(Claim claim)
    {
        var identity = claim.Subject;
        return claim.Type switch
        {
            Claims.Subject or IdpClaims.TenantId or Claims.Role or IdpClaims.LoginMethod or IdpClaims.AccessRoute => Both,
            Claims.AuthenticationTime or Claims.AuthenticationMethodReference => Both,
            Claims.Email or Claims.EmailVerified when identity?.HasScope(Scopes.Email) == true => Both,
            Claims.Name when identity?.HasScope(Scopes.Profile) == true => Both,
            // Everything else (security stamps, internal markers) stays out of every token.
            _ => [],
        };
    }
}
