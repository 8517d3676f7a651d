using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// <c>/connect/token</c>: OpenIddict has authenticated the client and validated the grant (code
/// and PKCE verifier, refresh-token rotation and replay); here the principal is built.
/// </summary>
public static class TokenEndpoint
{
    /// <remarks>
    /// No <c>UserManager</c> among the parameters: minimal APIs resolve every parameter before the
    /// call, so each client-credentials token, which never looks at a user, would build one (a dozen
    /// services) for a lockout check that needs two fields of the user.
    /// </remarks>
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        OidcPrincipalFactory principals,
        IOpenIddictApplicationManager applications,
        TimeProvider time)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (request.IsClientCredentialsGrantType())
        {
            return await ClientCredentialsAsync(request, applications, context.RequestAborted);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var stored = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
            var user = await principals.FindUserAsync(stored?.GetClaim(Claims.Subject), context.RequestAborted);
            if (stored is null || user is null)
            {
                return OidcResults.Forbid(Errors.InvalidGrant, "The account no longer exists.");
            }

            // A locked or disabled account gets no new tokens, whatever it holds.
            if (user.IsAdministrativelyLockedAt(time.GetUtcNow()))
            {
                return OidcResults.Forbid(Errors.InvalidGrant, "The account is locked.");
            }

            return Results.SignIn(principals.Refresh(stored, user), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        throw new InvalidOperationException("The grant type is not supported.");
    }

    /// <summary>
    /// Operators' automation: the client acts for itself, <c>sub</c> is its client_id. The scopes'
    /// resources are not looked up: no scope entities with resources are registered, so the query
    /// would find nothing on every token request; <see cref="AccessTokenAudiences"/> sets <c>aud</c>.
    /// </summary>
    private static async Task<IResult> ClientCredentialsAsync(
        OpenIddictRequest request, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("The client application cannot be found.");

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, await applications.GetClientIdAsync(application, cancellationToken))
            .SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application, cancellationToken));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(static claim => claim.Type is Claims.Subject or Claims.Name ? [Destinations.AccessToken] : []);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

}
