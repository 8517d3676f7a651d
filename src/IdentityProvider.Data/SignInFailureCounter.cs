namespace IdentityProvider.Data;

/// <summary>
/// A consecutive-failure counter that has no user row to live in: an address that is not
/// registered (so that its tenth failure answers "locked" exactly like a real account's, and an
/// attacker learns nothing), and a device cookie (OWASP "device cookies": failures from a trusted
/// browser are counted apart from the account's). Shared by every node, updated atomically.
/// </summary>
public sealed class SignInFailureCounter
{
    /// <summary><c>address:</c> or <c>device:</c> followed by the base64url SHA-256 of the address or nonce.</summary>
    public required string Key { get; set; }

    public int Failures { get; set; }

    /// <summary>Set by the failure that reached the limit; the counter no longer moves after it.</summary>
    public DateTimeOffset? LockedAt { get; set; }

    /// <summary>The last change: lets a clean-up job drop counters nobody has touched for months.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
