namespace IdentityProvider.Audit;

/// <summary>One audit event as operators read it, with the tenant's name where it has one.</summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset OccurredAt,
    string Kind,
    string Outcome,
    string? Reason,
    Guid? TenantId,
    string? TenantName,
    Guid? UserId,
    string? Subject,
    string? IpAddress,
    string? UserAgent);
