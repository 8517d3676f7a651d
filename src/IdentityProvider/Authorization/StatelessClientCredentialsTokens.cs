using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// Client-credentials access tokens get no token entry: they are short-lived signed JWTs that
/// resource servers (and our introspection) validate by signature and lifetime, so issuing one
/// writes nothing to the database — the write was the bottleneck of the grant. Revocation still
/// works through <see cref="RevokedAccessTokens"/>. Authorization codes, refresh tokens and the
/// access tokens of user grants keep their entries: replay detection revokes what was issued
/// from a code or a refresh-token chain by its entries (RFC 9700 §4.14.2, RFC 6749 §4.1.2).
/// </summary>
public sealed class StatelessClientCredentialsTokens(IOptionsMonitor<OidcOptions> options) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<StatelessClientCredentialsTokens>()
            .SetOrder(OpenIddictServerHandlers.Protection.CreateTokenEntry.Descriptor.Order - 250)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(GenerateTokenContext context)
    {
        if (context.TokenType == TokenTypeIdentifiers.AccessToken &&
            context.EndpointType == OpenIddictServerEndpointType.Token &&
            context.Request?.IsClientCredentialsGrantType() == true &&
            !options.CurrentValue.StoreClientCredentialsAccessTokens)
        {
            context.CreateTokenEntry = false;
            context.PersistTokenPayload = false;
        }

        return default;
    }
}
