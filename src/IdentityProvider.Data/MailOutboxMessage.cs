namespace IdentityProvider.Data;

/// <summary>
/// A mail waiting to be sent, written in the same transaction as the state change that causes it
/// (SPEC §12): committed together or not at all, so no accepted change loses its mail.
/// </summary>
public sealed class MailOutboxMessage
{
    public Guid Id { get; set; }

    /// <summary>Which template produced it (MailTemplate name): for operators and tests.</summary>
    public required string Template { get; set; }

    public required string Recipient { get; set; }

    public string? RecipientName { get; set; }

    public required string Subject { get; set; }

    /// <summary>
    /// Protected with Data Protection while the mail waits (it holds live links; see
    /// <c>MailBodyProtection</c>), and blanked once the mail is sent or refused for good.
    /// </summary>
    public required string TextBody { get; set; }

    /// <summary>Protected and blanked like <see cref="TextBody"/>.</summary>
    public string? HtmlBody { get; set; }

    /// <summary>RFC 5322 Message-Id, fixed at enqueue so a retried send is recognisably the same mail.</summary>
    public required string MessageId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the drain job may (re)try it.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Set when the address refused it for good (5xx): shown to operators, never retried.</summary>
    public DateTimeOffset? FailedAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>
    /// Lease of the node that is sending it: until then no other node may claim it. Taken with a
    /// conditional UPDATE, so that with several nodes draining, one sends each mail; a node that dies
    /// mid-send leaves a lease that simply expires.
    /// </summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
}
