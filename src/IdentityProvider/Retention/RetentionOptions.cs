using System.ComponentModel.DataAnnotations;
using IdentityProvider.Data;

namespace IdentityProvider.Retention;

/// <summary>
/// Configuration section <c>Retention</c>: how long records nobody needs any more are kept before
/// <see cref="RetentionPruner"/> deletes them. Nothing still in use is ever deleted: unsent mail
/// that will be retried, a link that still works, a session that has not expired.
/// </summary>
public sealed class RetentionOptions : IValidatableObject
{
    public const string Section = "Retention";

    /// <summary>The audit log is a record for a year and more; see <see cref="Validate"/> for the minimum.</summary>
    public static readonly TimeSpan MinimumAudit = TimeSpan.FromDays(IdpDbContext.AuditDeletionFloorDays + 1);

    /// <summary>How often each node runs a pass. Passes on several nodes overlap harmlessly.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long audit events are kept. At least a day more than the age under which the database
    /// itself refuses to delete an audit row (<see cref="IdpDbContext.AuditDeletionFloorDays"/>):
    /// the pruner's cut-off comes from this server's clock and the refusal from the database's, and
    /// the day keeps a small difference between the two from failing every pass.
    /// </summary>
    public TimeSpan Audit { get; set; } = TimeSpan.FromDays(400);

    /// <summary>
    /// Everything else: sent mail and mail refused for good (counted from sending or refusal), mailed
    /// links (counted from their expiry, so that a used or expired link still says so for this
    /// long), and failure counters that no longer hold anything (a device cookie's after the cookie
    /// expired).
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan Default { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Failure counters of addresses that have no password account, counted from their last
    /// change. Such a counter stands in for an account's failure count and lock, which never expire
    /// by themselves: deleting it lets the address start counting from zero where a real account
    /// would still be locked, a difference an attacker could see. So it is kept as long as the audit
    /// log by default, longer than a real lock is likely to last.
    /// </summary>
    [Range(typeof(TimeSpan), "30.00:00:00", "36500.00:00:00")]
    public TimeSpan AddressCounters { get; set; } = TimeSpan.FromDays(400);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Audit < MinimumAudit)
        {
            yield return new ValidationResult(
                $"Retention:Audit must be at least {MinimumAudit.TotalDays} days: the database refuses to delete audit events younger than {IdpDbContext.AuditDeletionFloorDays} days.",
                [nameof(Audit)]);
        }
        else if (Audit > TimeSpan.FromDays(36500))
        {
            yield return new ValidationResult("Retention:Audit must be at most 36500 days.", [nameof(Audit)]);
        }
    }
}
