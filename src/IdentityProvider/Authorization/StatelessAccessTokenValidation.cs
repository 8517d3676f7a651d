using System.Security.Claims;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// What a token entry gave a stored access token, for those without one: refused once revoked
/// (<see cref="RevokedAccessTokens"/>) or once its client is removed. Runs where this server
/// validates access tokens — introspection and userinfo (server) and the admin API (validation) —
/// right after OpenIddict's own entry check, which skips tokens without an entry.
/// </summary>
public sealed class StatelessAccessTokenValidation(RevokedAccessTokens revoked, IOpenIddictApplicationManager applications) :
    IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenContext>,
    IOpenIddictValidationHandler<OpenIddictValidationEvents.ValidateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor ServerDescriptor { get; }
        = OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateTokenContext>()
            .UseScopedHandler<StatelessAccessTokenValidation>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateTokenEntry.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictValidationHandlerDescriptor ValidationDescriptor { get; }
        = OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddictValidationEvents.ValidateTokenContext>()
            .UseScopedHandler<StatelessAccessTokenValidation>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateTokenEntry.Descriptor.Order + 500)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenContext context)
    {
        if (await RejectionAsync(context.Principal, context.TokenId, context.CancellationToken) is { } reason)
        {
            context.Reject(Errors.InvalidToken, reason);
        }
    }

    public async ValueTask HandleAsync(OpenIddictValidationEvents.ValidateTokenContext context)
    {
        if (await RejectionAsync(context.Principal, context.TokenId, context.CancellationToken) is { } reason)
        {
            context.Reject(Errors.InvalidToken, reason);
        }
    }

    private async Task<string?> RejectionAsync(ClaimsPrincipal? principal, string? tokenId, CancellationToken cancellationToken)
    {
        if (principal is null || !string.IsNullOrEmpty(tokenId) || !string.IsNullOrEmpty(principal.GetTokenId()) ||
            !principal.HasTokenType(TokenTypeIdentifiers.AccessToken))
        {
            return null;
        }

        if (principal.GetClaim(Claims.JwtId) is { Length: > 0 } jti && await revoked.IsRevokedAsync(jti, cancellationToken))
        {
            return "The access token has been revoked.";
        }

        var clientId = principal.GetPresenters().FirstOrDefault() ?? principal.GetClaim(Claims.ClientId);
        if (clientId is null || await applications.FindByClientIdAsync(clientId, cancellationToken) is null)
        {
            return "The client the access token was issued to no longer exists.";
        }

        return null;
    }
}
