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

    /// <summary>Scopes the client may request; empty means openid, email, profile and offline_access.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
}
