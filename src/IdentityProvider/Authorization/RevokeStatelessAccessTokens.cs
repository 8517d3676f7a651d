using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// Takes the place of OpenIddict's <c>RevokeToken</c>: an access token without a token entry is
/// put on the <see cref="RevokedAccessTokens"/> deny list by its <c>jti</c> (RFC 7009 §2.1: the
/// server invalidates the token); every other token is revoked by OpenIddict's own handler, which
/// would answer <c>unsupported_token_type</c> for the former.
/// </summary>
public sealed class RevokeStatelessAccessTokens(IOpenIddictTokenManager tokens, RevokedAccessTokens revoked) : IOpenIddictServerHandler<HandleRevocationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleRevocationRequestContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireDegradedModeDisabled>()
            .UseScopedHandler<RevokeStatelessAccessTokens>()
            .SetOrder(OpenIddictServerHandlers.Revocation.RevokeToken.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(HandleRevocationRequestContext context)
    {
        var principal = context.GenericTokenPrincipal;
        if (principal is not null && string.IsNullOrEmpty(principal.GetTokenId()) &&
            principal.HasTokenType(TokenTypeIdentifiers.AccessToken) &&
            principal.GetClaim(Claims.JwtId) is { Length: > 0 } jti &&
            principal.GetExpirationDate() is { } expires)
        {
            await revoked.RevokeAsync(jti, context.Request.ClientId, expires, context.CancellationToken);
            return;
        }

        await new OpenIddictServerHandlers.Revocation.RevokeToken(tokens).HandleAsync(context);
    }
}
