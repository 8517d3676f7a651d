using IdentityProvider.Clients;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Keys;

/// <summary>
/// Chooses the key each token is signed with (<see cref="SigningKeys"/>), instead of OpenIddict's choice:
/// <list type="bullet">
/// <item>ID tokens: RS256, which every relying party must accept (OIDC Core §15.1;
/// <c>id_token_signed_response_alg</c> defaults to RS256), or ES256 for a client registered with
/// <c>id_token_signed_response_alg=ES256</c> (OIDC Dynamic Client Registration §2).</item>
/// <item>Access tokens: the key of <c>Oidc:AccessTokenSigningAlgorithm</c> (ES256 by default).
/// Resource servers read them and validate any key of our JWKS (RFC 9068 §4).</item>
/// <item>Authorization codes, refresh tokens and OpenIddict's other private tokens, read only by this
/// server and encrypted (A256KW + A256CBC-HS512): HS256 with the key derived from the encryption key
/// (<see cref="ServerKeyStore.PrivateTokenSigningKey"/>), never published.</item>
/// </list>
/// An ES256 signature costs a small fraction of an RS256 one, and an HMAC less again to make and to
/// check. A refresh checks the refresh token presented and signs a refresh token, an access token
/// and an ID token; a login signs and checks a code as well.
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
        if (PrivateTokenTypes.Contains(context.TokenType))
        {
            context.SigningCredentials = keys.PrivateTokens ?? keys.AccessTokens ?? context.SigningCredentials;
            return;
        }

        if (context.TokenType != TokenTypeIdentifiers.IdentityToken)
        {
            // Access tokens, and any kind a newer OpenIddict may add: a key of the JWKS, never an HMAC key.
            context.SigningCredentials = keys.AccessTokens ?? context.SigningCredentials;
            return;
        }

        context.SigningCredentials = keys.Es256 is { } es256 && context.ClientId is { } clientId
            && await IdTokenAlgorithmAsync(context, clientId) == ClientSettings.Es256
            ? es256
            : keys.IdTokens ?? context.SigningCredentials;
    }

    /// <summary>The tokens OpenIddict issues for its own use only: nobody else ever verifies their signature.</summary>
    private static readonly HashSet<string> PrivateTokenTypes =
    [
        TokenTypeIdentifiers.Private.AuthorizationCode,
        TokenTypeIdentifiers.Private.DeviceCode,
        TokenTypeIdentifiers.RefreshToken,
        TokenTypeIdentifiers.Private.RequestToken,
        TokenTypeIdentifiers.Private.UserCode,
    ];

    /// <summary>
    /// The client's registered algorithm. The application manager serves the client from
    /// <see cref="Persistence.ApplicationCache"/>: the request has already authenticated it, so this is no query.
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
