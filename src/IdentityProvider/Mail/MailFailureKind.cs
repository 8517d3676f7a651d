namespace IdentityProvider.Mail;

/// <summary>Why a message was not handed over, in the terms the outbox acts on.</summary>
public enum MailFailureKind
{
    /// <summary>
    /// Try this message again later: the relay was unreachable or timed out, the connection broke, or
    /// it answered 4xx (RFC 5321 §4.2.1 "transient negative completion").
    /// </summary>
    Transient = 0,

    /// <summary>
    /// This message can never be delivered: the relay answered 5xx to its recipient or its content
    /// (RFC 5321 §4.2.1 "permanent negative completion"), or the recipient address is malformed.
    /// Give up on it; trying again only repeats the rejection.
    /// </summary>
    Permanent = 1,

    /// <summary>
    /// Our side is wrong, not the message: credentials refused, TLS failed, our From address refused,
    /// or the relay refuses the session. Every message fails the same way until an operator fixes
    /// <c>Mail:*</c>, so keep the message and retry later (no mail lost, SPEC §12), and alert.
    /// </summary>
    Configuration = 2,
}
