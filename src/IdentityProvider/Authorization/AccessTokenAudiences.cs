using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// Every access token names the resource servers it is for in <c>aud</c> (RFC 9068 §2.2), decided
/// here alone: a token of the <c>idp.admin</c> scope is for this server's admin API
/// (<see cref="IdpScopes.AdminAudience"/>); every other access token — a user's, or a client's
/// for other scopes — is for the service's API, <c>Oidc:AccessTokenAudience</c>. A resource server
/// checks its own identifier, so a token meant for the other cannot be replayed at it.
/// </summary>
public sealed class AccessTokenAudiences(IOptionsMonitor<OidcOptions> options) : IOpenIddictServerHandler<ProcessSignInContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<AccessTokenAudiences>()
            .SetOrder(OpenIddictServerHandlers.PrepareAccessTokenPrincipal.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ProcessSignInContext context)
    {
        if (context.AccessTokenPrincipal is not { } principal)
        {
            return default;
        }

        var scopes = principal.GetScopes();
        var audiences = new List<string>(2);
        if (scopes.Contains(IdpScopes.Admin))
        {
            audiences.Add(IdpScopes.AdminAudience);
        }

        var clientOnlyForAdmin = context.Request?.IsClientCredentialsGrantType() == true && scopes.Length > 0 && scopes.All(s => s == IdpScopes.Admin);
        if (!clientOnlyForAdmin)
        {
            audiences.Add(options.CurrentValue.AccessTokenAudience);
        }

        principal.SetAudiences(audiences);
        return default;
    }
}
