namespace IdentityProvider.Mail;

/// <summary>What one drain pass did: mails handed over, put back for a retry, and given up (5xx).</summary>
public sealed record MailDrainResult(int Sent, int Retrying, int Failed);
