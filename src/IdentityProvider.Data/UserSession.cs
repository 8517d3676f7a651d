namespace IdentityProvider.Data;

/// <summary>
/// A browser session kept on the server: the session cookie carries only a protected reference to
/// this row, so that deleting the row (logout, "end all sessions") ends the session at once, even
/// for a copy of the cookie. The row holds the authentication ticket, protected by Data Protection.
/// </summary>
public sealed class UserSession
{
    /// <summary>Base64url SHA-256 of the random 256-bit key in the cookie; the key itself is not stored.</summary>
    public required string Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The user's security stamp when signed in: a session whose stamp is no longer the user's is over.</summary>
    public required string SecurityStamp { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The last renewal of the sliding window (not every request: renewals are what the cookie handler asks for).</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The end of the sliding window, never later than <see cref="AbsoluteExpiresAt"/>.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The latest the session may last, counted from the sign-in that proved who the user is.</summary>
    public DateTimeOffset AbsoluteExpiresAt { get; set; }

    /// <summary>The browser's user agent at sign-in, shortened: a label for a list of one's sessions.</summary>
    public string? UserAgent { get; set; }

    public string? IpAddress { get; set; }

    /// <summary>The serialized authentication ticket, protected by Data Protection.</summary>
    public required byte[] Ticket { get; set; }
}
