namespace IdentityProvider.Audit;

/// <summary>Events newest first; <see cref="NextBefore"/> is the cursor of the next (older) page, null on the last.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Events, long? NextBefore);
