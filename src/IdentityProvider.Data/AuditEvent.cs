namespace IdentityProvider.Data;

/// <summary>
/// A security event (SPEC §11): append-only; nothing updates a row, and only the retention job
/// deletes rows, once they are older than the audit retention (the database refuses younger ones).
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>What happened (AuditKind name), e.g. SignIn, AccountLocked, PasswordResetCompleted.</summary>
    public required string Kind { get; set; }

    /// <summary>Success or Failure.</summary>
    public required string Outcome { get; set; }

    /// <summary>Why it failed (e.g. WrongPassword, LockedOut), or other detail; never a secret.</summary>
    public string? Reason { get; set; }

    public Guid? TenantId { get; set; }

    public Guid? UserId { get; set; }

    /// <summary>Who it was about as typed or known (e-mail, client_id); for unknown addresses too.</summary>
    public string? Subject { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }
}
