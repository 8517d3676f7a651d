namespace IdentityProvider.Mail;

/// <summary>Where an outbox mail stands, as operators filter it.</summary>
public enum MailStatus
{
    /// <summary>Not sent yet: waiting for its first attempt or for a retry after a transient error.</summary>
    Pending,

    /// <summary>Handed over to the relay (or the pickup folder).</summary>
    Sent,

    /// <summary>Refused for good (5xx): never retried; the operator tells the user or fixes the address.</summary>
    Failed,
}
