using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// ID tokens get no token entry. OpenIddict wrote one row per ID token — one more INSERT on every
/// login and every refresh, kept until pruned — although an ID token is never presented back as a
/// credential: only as <c>id_token_hint</c> at the end-session endpoint, where OpenID Connect
/// RP-Initiated Logout 1.0 §2 asks for its signature, issuer and audience, and even accepts it
/// expired. The token keeps its authorization id (<c>oi_au_id</c>), so OpenIddict still refuses the
/// hint of an authorization that was revoked; it no longer carries <c>oi_tkn_id</c>.
/// </summary>
public sealed class IdentityTokensWithoutEntry : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<IdentityTokensWithoutEntry>()
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 250)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        if (context.TokenType == TokenTypeIdentifiers.IdentityToken)
        {
            context.CreateTokenEntry = false;
            context.PersistTokenPayload = false;
        }

        return default;
    }
}
