using System.Security.Claims;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// A client may introspect and revoke its own tokens, and only those (RFC 7009 §2.1, RFC 7662 §4).
/// OpenIddict's own check waves a request through when the access token names no audience, and ours
/// never do (no resource servers are registered): without this, any confidential client could read
/// another client's token claims or revoke its tokens.
/// </summary>
public sealed class OwnTokensOnlyHandler :
    IOpenIddictServerHandler<ValidateIntrospectionRequestContext>,
    IOpenIddictServerHandler<ValidateRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor IntrospectionDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateIntrospectionRequestContext>()
            .UseSingletonHandler<OwnTokensOnlyHandler>()
            .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor RevocationDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
            .UseSingletonHandler<OwnTokensOnlyHandler>()
            .SetOrder(OpenIddictServerHandlers.Revocation.ValidateAuthorizedParty.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateIntrospectionRequestContext context)
    {
        // invalid_token becomes {"active": false}: the caller learns nothing about someone else's token.
        if (!IsOwn(context.GenericTokenPrincipal, context.ClientId))
        {
            context.Reject(Errors.InvalidToken, "The token was not issued to this client.");
        }

        return default;
    }

    public ValueTask HandleAsync(ValidateRevocationRequestContext context)
    {
        // invalid_token becomes a plain 200 (RFC 7009 §2.2), and the token stays valid.
        if (!IsOwn(context.GenericTokenPrincipal, context.ClientId))
        {
            context.Reject(Errors.InvalidToken, "The token was not issued to this client.");
        }

        return default;
    }

    /// <summary>Issued to the caller (presenter), or meant for it (audience).</summary>
    private static bool IsOwn(ClaimsPrincipal? principal, string? clientId) =>
        principal is not null && !string.IsNullOrEmpty(clientId) &&
        (principal.HasPresenter(clientId) || principal.HasAudience(clientId));
}
