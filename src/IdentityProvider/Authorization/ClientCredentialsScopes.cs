using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// A client-credentials token has no user: <c>openid</c> would yield an ID token about the client
/// itself, and <c>offline_access</c> a refresh token the grant never needs (RFC 6749 §4.4.3: "a
/// refresh token SHOULD NOT be included"). Both scopes are refused with <c>invalid_scope</c>, as
/// Duende IdentityServer does, rather than dropped: a client that asks for them is misconfigured
/// and should learn so.
/// </summary>
public sealed class ClientCredentialsScopes : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<ClientCredentialsScopes>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateScopeParameter.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        if (context.Request.IsClientCredentialsGrantType() &&
            (context.Request.HasScope(Scopes.OpenId) || context.Request.HasScope(Scopes.OfflineAccess)))
        {
            context.Reject(Errors.InvalidScope, "The openid and offline_access scopes are not available with client credentials: that grant has no user and no refresh token.");
        }

        return default;
    }
}
