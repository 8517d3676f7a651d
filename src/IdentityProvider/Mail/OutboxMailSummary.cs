namespace IdentityProvider.Mail;

/// <summary>
/// One outbox mail as operators see it (admin API, <c>mail list</c>): who, which mail, and how its
/// sending went. Never the body: it holds single-use links.
/// </summary>
public sealed record OutboxMailSummary(
    Guid Id,
    MailStatus Status,
    string Template,
    string Recipient,
    string Subject,
    string MessageId,
    DateTimeOffset CreatedAt,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? SentAt,
    DateTimeOffset? FailedAt,
    string? LastError);
