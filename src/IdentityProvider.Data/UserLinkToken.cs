namespace IdentityProvider.Data;

/// <summary>
/// A single-use link sent by mail (unlock, password reset, …; ): only the SHA-256 of the
/// token is stored, it expires, and it dies when used or when the user's password changes.
/// </summary>
public sealed class UserLinkToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>What the link does (LinkPurpose name); a token of one purpose never serves another.</summary>
    public required string Purpose { get; set; }

    /// <summary>Base64url SHA-256 of the token in the link.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The user's security stamp when issued: a password change (new stamp) invalidates the link.</summary>
    public required string SecurityStamp { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}
