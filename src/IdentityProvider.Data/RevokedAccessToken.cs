namespace IdentityProvider.Data;

/// <summary>
/// A revoked access token that has no token entry (client-credentials access tokens are
/// self-contained JWTs): its JWT ID, kept until the token expires and is refused for that alone.
/// </summary>
public sealed class RevokedAccessToken
{
    /// <summary>The token's <c>jti</c> (RFC 7519 §4.1.7).</summary>
    public required string TokenId { get; set; }

    public string? ClientId { get; set; }

    public DateTimeOffset RevokedAt { get; set; }

    /// <summary>The token's own expiry: after it the row serves no purpose and is deleted.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}
