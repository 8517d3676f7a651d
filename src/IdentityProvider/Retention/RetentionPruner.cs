using System.Linq.Expressions;
using IdentityProvider.Data;
using IdentityProvider.Lockout;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Retention;

/// <summary>
/// One retention pass (<see cref="RetentionOptions"/>): expired sessions, sent and refused mail,
/// links long expired, failure counters that no longer matter, and audit events older than the
/// audit retention. Nothing that is still in use goes: mail that will be retried has neither
/// <c>SentAt</c> nor <c>FailedAt</c>, a link that works has not expired, a counter's cut-off is
/// counted from its last change. The <see cref="RetentionJob"/> runs it on a schedule;
/// <c>retention prune</c> and tests call it directly.
/// <para>
/// Each kind is deleted <see cref="BatchSize"/> rows per statement: a batch's keys are read oldest
/// first through the index of the column the cut-off applies to, then deleted with the cut-off
/// applied again, so a row that changed meanwhile is kept. Audit events go through
/// <c>ExecuteDelete</c> with an explicit cut-off — the one way this code deletes audit rows; the
/// database refuses any delete of a row younger than <see cref="IdpDbContext.AuditDeletionFloorDays"/>.
/// </para>
/// </summary>
public sealed partial class RetentionPruner(
    IdpDbContext db,
    TimeProvider time,
    IOptions<RetentionOptions> options,
    IOptions<LockoutOptions> lockout,
    ILogger<RetentionPruner> logger)
{
    /// <summary>Rows per statement: a batch holds SQLite's write lock only briefly, and a backlog is a few hundred statements.</summary>
    public const int BatchSize = 250;

    /// <summary>The key prefix of a device cookie's counter (<see cref="FailureCounters.DeviceKey"/>).</summary>
    private const string DeviceCounterPrefix = "device:";

    public RetentionOptions Options => options.Value;

    public async Task<RetentionPruneResult> PruneOnceAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var retention = options.Value;
        var cutoff = now - retention.Default;

        var sessions = await DeleteInBatchesAsync(
            db.UserSessions.Where(s => s.ExpiresAt <= now).OrderBy(s => s.ExpiresAt), s => s.Id,
            ids => db.UserSessions.Where(s => ids.Contains(s.Id) && s.ExpiresAt <= now),
            cancellationToken);

        // Sent, or refused for good (5xx, never retried); a pending mail has neither and is never touched.
        var mails = await DeleteInBatchesAsync(
            db.MailOutbox.Where(m => m.SentAt != null && m.SentAt < cutoff).OrderBy(m => m.SentAt), m => m.Id,
            ids => db.MailOutbox.Where(m => ids.Contains(m.Id) && m.SentAt != null && m.SentAt < cutoff),
            cancellationToken);
        mails += await DeleteInBatchesAsync(
            db.MailOutbox.Where(m => m.SentAt == null && m.FailedAt != null && m.FailedAt < cutoff).OrderBy(m => m.FailedAt), m => m.Id,
            ids => db.MailOutbox.Where(m => ids.Contains(m.Id) && m.SentAt == null && m.FailedAt != null && m.FailedAt < cutoff),
            cancellationToken);

        // Every link is spent by its expiry (used or not); the retention after it lets the page say
        // "used" or "expired" rather than "unknown" for a while.
        var links = await DeleteInBatchesAsync(
            db.UserLinkTokens.Where(l => l.ExpiresAt < cutoff).OrderBy(l => l.ExpiresAt), l => l.Id,
            ids => db.UserLinkTokens.Where(l => ids.Contains(l.Id) && l.ExpiresAt < cutoff),
            cancellationToken);

        var counters = await PruneCountersAsync(now, cancellationToken);

        // Last: a database that refuses (its clock far behind this server's) fails only this part.
        var auditCutoff = now - retention.Audit;
        var audit = await DeleteInBatchesAsync(
            db.AuditEvents.Where(a => a.OccurredAt < auditCutoff).OrderBy(a => a.OccurredAt), a => a.Id,
            ids => db.AuditEvents.Where(a => ids.Contains(a.Id) && a.OccurredAt < auditCutoff),
            cancellationToken);

        var result = new RetentionPruneResult(audit, mails, links, counters, sessions);
        if (result.Total > 0)
        {
            LogPruned(logger, result.AuditEvents, result.Mails, result.Links, result.FailureCounters, result.Sessions, (long)time.GetElapsedTime(started).TotalMilliseconds);
        }

        return result;
    }

    /// <summary>
    /// Deletes what <paramref name="expired"/> (ordered along its index) finds, a batch at a time;
    /// <paramref name="stillExpired"/> is the same condition on a batch's keys.
    /// </summary>
    private async Task<int> DeleteInBatchesAsync<TEntity, TKey>(
        IQueryable<TEntity> expired,
        Expression<Func<TEntity, TKey>> key,
        Func<List<TKey>, IQueryable<TEntity>> stillExpired,
        CancellationToken cancellationToken)
    {
        var deleted = 0;
        while (true)
        {
            var keys = await expired.Select(key).Take(BatchSize).ToListAsync(cancellationToken);
            if (keys.Count == 0)
            {
                return deleted;
            }

            var batch = await stillExpired(keys).ExecuteDeleteAsync(cancellationToken);
            deleted += batch;
            // A short batch was the last; an empty one means another node got there first.
            if (keys.Count < BatchSize || batch == 0)
            {
                return deleted;
            }
        }
    }

    /// <summary>
    /// Failure counters: an address's after <see cref="RetentionOptions.AddressCounters"/>
    /// without a change; a device cookie's once the cookie has expired and the default retention
    /// passed (a new sign-in gives the browser a new nonce, so the old counter is never counted
    /// again); one at zero and unlocked, which holds nothing, after the default retention. The old
    /// rows are walked once by (UpdatedAt, Key) with a cursor: the address counters that must stay
    /// are not read again for every batch.
    /// </summary>
    private async Task<int> PruneCountersAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var retention = options.Value;
        var addressCutoff = now - retention.AddressCounters;
        var deviceCutoff = now - (lockout.Value.DeviceCookies.Lifetime > retention.Default ? lockout.Value.DeviceCookies.Lifetime : retention.Default);
        var emptyCutoff = now - retention.Default;
        var latest = new[] { addressCutoff, deviceCutoff, emptyCutoff }.Max();

        var deleted = 0;
        DateTimeOffset? afterDate = null;
        string? afterKey = null;
        while (true)
        {
            var old = db.SignInFailureCounters.Where(c => c.UpdatedAt < latest);
            if (afterKey is not null)
            {
                old = old.Where(c => c.UpdatedAt > afterDate || (c.UpdatedAt == afterDate && string.Compare(c.Key, afterKey) > 0));
            }

            var batch = await old.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Key)
                .Select(c => new { c.Key, c.UpdatedAt })
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return deleted;
            }

            var keys = batch.ConvertAll(c => c.Key);
            deleted += await db.SignInFailureCounters
                .Where(c => keys.Contains(c.Key)
                    && ((!c.Key.StartsWith(DeviceCounterPrefix) && c.UpdatedAt < addressCutoff)
                        || (c.Key.StartsWith(DeviceCounterPrefix) && c.UpdatedAt < deviceCutoff)
                        || (c.Failures == 0 && c.LockedAt == null && c.UpdatedAt < emptyCutoff)))
                .ExecuteDeleteAsync(cancellationToken);
            if (batch.Count < BatchSize)
            {
                return deleted;
            }

            (afterDate, afterKey) = (batch[^1].UpdatedAt, batch[^1].Key);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: deleted {AuditEvents} audit events, {Mails} mails, {Links} links, {Counters} failure counters and {Sessions} expired sessions in {ElapsedMs} ms.")]
    private static partial void LogPruned(ILogger logger, int auditEvents, int mails, int links, int counters, int sessions, long elapsedMs);
}
