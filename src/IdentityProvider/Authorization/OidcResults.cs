using Microsoft.AspNetCore.Authentication;
using OpenIddict.Server.AspNetCore;

namespace IdentityProvider.Authorization;

/// <summary>Protocol error responses of the passthrough endpoints, rendered by OpenIddict.</summary>
public static class OidcResults
{
    /// <summary>An OAuth error (e.g. <c>login_required</c>, <c>invalid_grant</c>) for the request being handled.</summary>
    public static IResult Forbid(string error, string description) =>
        Results.Forbid(Properties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>A bearer-token error (RFC 6750 §3) with a <c>WWW-Authenticate</c> challenge.</summary>
    public static IResult Challenge(string error, string description) =>
        Results.Challenge(Properties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static AuthenticationProperties Properties(string error, string description) =>
        new(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        });
}
