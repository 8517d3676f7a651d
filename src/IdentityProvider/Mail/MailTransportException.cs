namespace IdentityProvider.Mail;

/// <summary>A message was not handed over; <see cref="Kind"/> tells the outbox whether to retry.</summary>
public sealed class MailTransportException : Exception
{
    public MailTransportException(MailFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public MailFailureKind Kind { get; }

    /// <summary>False only for <see cref="MailFailureKind.Permanent"/>: the one kind a retry cannot fix.</summary>
    public bool IsRetryable => Kind != MailFailureKind.Permanent;

    /// <summary>The relay's reply code (e.g. 550) when it answered; null for network and local failures.</summary>
    public int? SmtpStatusCode { get; init; }
}
