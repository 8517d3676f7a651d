using IdentityProvider.Clients;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Keys;

/// <summary>
/// Chooses the key each token is signed with, instead of OpenIddict's first credential (the RS256 key):
/// <list type="bullet">
/// <item>ID tokens: RS256, which every relying party must accept (OIDC Core §15.1;
/// <c>id_token_signed_response_alg</c> defaults to RS256), or ES256 for a client registered with
/// <c>id_token_signed_response_alg=ES256</c> (OIDC Dynamic Client Registration §2).</item>
/// <item>Everything else: the key of <c>Oidc:AccessTokenSigningAlgorithm</c> (ES256 by default).
/// Access tokens are read by resource servers, which validate any key of our JWKS (RFC 9068 §4);
/// authorization codes, refresh tokens and the other private tokens are read only by this server.</item>
/// </list>
/// An ES256 signature costs about a twelfth of an RS256 one (0.02 vs 0.24 ms here): a refresh
/// signs a refresh token, an access token and an ID token, a login a code as well.
/// </summary>
public sealed class TokenSigningHandler(SigningKeys keys) : IOpenIddictServerHandler<GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
            .UseSingletonHandler<TokenSigningHandler>()
            // After OpenIddict has chosen its credentials, before anything signs with them.
            .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(GenerateTokenContext context)
    {
        if (context.TokenType != TokenTypeIdentifiers.IdentityToken)
        {
            // Until a key of that algorithm is active (published, then activated), OpenIddict's choice stands.
            if (keys.AccessTokens is { } credentials)
            {
                context.SigningCredentials = credentials;
            }

            return;
        }

        if (keys.Es256 is { } es256 && context.ClientId is { } clientId
            && await IdTokenAlgorithmAsync(context, clientId) == ClientSettings.Es256)
        {
            context.SigningCredentials = es256;
        }
    }

    /// <summary>
    /// The client's registered algorithm. The application manager serves the client from
    /// <see cref="ApplicationCache"/>: the request has already authenticated it, so this is no query.
    /// </summary>
    private static async ValueTask<string> IdTokenAlgorithmAsync(GenerateTokenContext context, string clientId)
    {
        var services = context.Transaction.GetHttpRequest()?.HttpContext.RequestServices
            ?? throw new InvalidOperationException("An ID token is generated outside an HTTP request.");
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        if (await applications.FindByClientIdAsync(clientId, context.CancellationToken) is not { } application)
        {
            return ClientSettings.Rs256;
        }

        var settings = await applications.GetSettingsAsync(application, context.CancellationToken);
        return ClientSettings.IdTokenAlgorithm(settings);
    }
}
