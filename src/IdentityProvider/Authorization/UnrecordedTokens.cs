using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// The one place that decides which tokens get no token entry (OpenIddict records every token):
/// <list type="bullet">
/// <item>Client-credentials access tokens: short-lived signed JWTs that resource servers (and our
/// introspection) validate by signature and lifetime, so issuing one writes nothing — a write per
/// token would bound the grant. Revocation still works through <see cref="RevokedAccessTokens"/>.
/// <c>Oidc:StoreClientCredentialsAccessTokens</c> records them again.</item>
/// <item>ID tokens: never presented back as a credential, only as <c>id_token_hint</c> at the
/// end-session endpoint, where OpenID Connect RP-Initiated Logout 1.0 §2 asks for signature, issuer
/// and audience, and even accepts the token expired. The token keeps its authorization id
/// (<c>oi_au_id</c>), so OpenIddict still refuses the hint of a revoked authorization; it carries no
/// <c>oi_tkn_id</c>.</item>
/// </list>
/// Authorization codes, refresh tokens and the access tokens of user grants keep their entries:
/// replay detection revokes what was issued from a code or a refresh-token chain by its entries
/// (RFC 9700 §4.14.2, RFC 6749 §4.1.2).
/// </summary>
public sealed class UnrecordedTokens(IOptionsMonitor<OidcOptions> options) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<UnrecordedTokens>()
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 250)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        if (context.TokenType == TokenTypeIdentifiers.IdentityToken || IsClientCredentialsAccessToken(context))
        {
            context.CreateTokenEntry = false;
            context.PersistTokenPayload = false;
        }

        return default;
    }

    private bool IsClientCredentialsAccessToken(GenerateTokenContext context) =>
        context.TokenType == TokenTypeIdentifiers.AccessToken &&
        context.EndpointType == OpenIddictServerEndpointType.Token &&
        context.Request?.IsClientCredentialsGrantType() == true &&
        !options.CurrentValue.StoreClientCredentialsAccessTokens;
}
