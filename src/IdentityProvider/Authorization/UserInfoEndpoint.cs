using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary><c>/connect/userinfo</c> (OIDC Core §5.3): the user's claims as of now, by scope.</summary>
public static class UserInfoEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, OidcPrincipalFactory principals)
    {
        var principal = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var user = await principals.FindUserAsync(principal?.GetClaim(Claims.Subject), context.RequestAborted);
        if (principal is null || user is null)
        {
            return OidcResults.Challenge(Errors.InvalidToken, "The token does not belong to an existing user.");
        }

        var claims = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Claims.Subject] = user.Id.ToString(),
            [IdpClaims.TenantId] = user.TenantId.ToString(),
            [Claims.Role] = user.Role.ToString(),
            [IdpClaims.LoginMethod] = user.LoginMethod.ToString(),
        };

        if (principal.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email;
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }

        if (principal.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.DisplayName ?? user.Email;
        }

        return Results.Ok(claims);
    }
}
