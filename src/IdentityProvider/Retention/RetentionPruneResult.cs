namespace IdentityProvider.Retention;

/// <summary>What one <see cref="RetentionPruner"/> pass deleted, per kind of record.</summary>
public readonly record struct RetentionPruneResult(int AuditEvents, int Mails, int Links, int FailureCounters, int Sessions)
{
    public int Total => AuditEvents + Mails + Links + FailureCounters + Sessions;
}
