namespace IdentityProvider.Clients;

/// <summary>What an operator asks for when registering a relying party.</summary>
public sealed record ClientRegistration
{
    public required string ClientId { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>For a confidential client; generated when null.</summary>
    public string? Secret { get; init; }

    /// <summary>A public client (SPA, native app) has no secret and must use PKCE.</summary>
    public bool Public { get; init; }

    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    /// <summary>Browser origins (<c>https://spa.example</c>) that may call the token, revocation and userinfo endpoints (CORS).</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Scopes the client may request; empty means openid, email, profile and offline_access.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>
    /// <c>id_token_signed_response_alg</c> (OIDC Dynamic Client Registration §2): <c>RS256</c> (null:
    /// the default every relying party accepts) or <c>ES256</c>, for a relying party that validates
    /// ECDSA, whose signatures cost a small fraction of RSA ones.
    /// </summary>
    public string? IdTokenSignedResponseAlg { get; init; }

    /// <summary>
    /// <c>implicit</c> (null: first-party, no consent screen) or <c>explicit</c> (a third party: the
    /// user allows its scopes on a consent screen once, revocable later).
    /// </summary>
    public string? Consent { get; init; }
}
