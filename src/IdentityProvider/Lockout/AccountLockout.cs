using System.Globalization;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Links;
using IdentityProvider.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Lockout;

/// <summary>
/// for a registered account: Identity's AccessFailedCount counts consecutive wrong passwords
/// with conditional UPDATEs (never a read-modify-write, which lets parallel attempts on two nodes
/// slip past the limit), the failure that reaches the limit locks and queues the unlock mail, and
/// the mailed link unlocks. Counting, locking and unlocking also renew ConcurrencyStamp, so that a
/// stale whole-row update elsewhere fails instead of silently undoing a count or a lock.
/// </summary>
public sealed partial class AccountLockout(
    IdpDbContext db,
    LinkTokens links,
    LinkUrls urls,
    MailOutbox outbox,
    AuditLog audit,
    TimeProvider time,
    IOptions<LockoutOptions> options,
    ILogger<AccountLockout> logger)
{
    public const string UnlockPage = "/Account/Unlock";

    /// <summary>
    /// Counts a wrong password (inside the caller's transaction). On <see cref="FailureResult.LockedNow"/>
    /// the unlock link, its mail and the audit event are added to the unit of work: the caller saves.
    /// </summary>
    public async Task<FailureResult> RecordWrongPasswordAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxFailedAttempts;
        var counted = await db.Users
            .Where(u => u.Id == user.Id && u.LockedAt == null && u.AccessFailedCount < max)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, u => u.AccessFailedCount + 1).SetProperty(u => u.ConcurrencyStamp, NewStamp()), cancellationToken);
        var now = time.GetUtcNow();
        var locked = await db.Users
            .Where(u => u.Id == user.Id && u.LockedAt == null && u.AccessFailedCount >= max)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LockedAt, now).SetProperty(u => u.ConcurrencyStamp, NewStamp()), cancellationToken);
        if (locked == 1)
        {
            AnnounceLock(user);
            return FailureResult.LockedNow;
        }

        return counted == 0 ? FailureResult.AlreadyLocked : FailureResult.Counted;
    }

    /// <summary>
    /// A right password: the count starts again, and the sign-in is recorded. False when the account
    /// is locked, also when a parallel failure locked it after it was read.
    /// </summary>
    public async Task<bool> RecordSuccessAsync(ApplicationUser user, CancellationToken cancellationToken)
    {
        var open = await db.Users
            .Where(u => u.Id == user.Id && u.LockedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0).SetProperty(u => u.LastSignInAt, time.GetUtcNow()), cancellationToken);
        return open == 1;
    }

    /// <summary>A sign-in that a trusted device cookie allowed while the account is locked: recorded, the lock stays.</summary>
    public Task RecordDeviceSignInAsync(ApplicationUser user, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastSignInAt, time.GetUtcNow()), cancellationToken);

    /// <summary>Shows whether a link from the lock mail still works, without using it (the GET of the page).</summary>
    public Task<LinkRedemption> CheckLinkAsync(string? token, CancellationToken cancellationToken) =>
        links.CheckAsync(token, LinkPurpose.Unlock, cancellationToken);

    /// <summary>Uses the link from the lock mail: unlocks, once. The answer for a dead link says why.</summary>
    public async Task<LinkRedemptionStatus> UnlockWithLinkAsync(string? token, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var link = await links.CheckAsync(token, LinkPurpose.Unlock, cancellationToken);
        if (link.Status != LinkRedemptionStatus.Valid)
        {
            return link.Status;
        }

        if (!await links.ConsumeAsync(link.Token!, cancellationToken))
        {
            return LinkRedemptionStatus.Used;
        }

        var user = link.User!;
        await db.Users
            .Where(u => u.Id == user.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessFailedCount, 0).SetProperty(u => u.LockedAt, (DateTimeOffset?)null).SetProperty(u => u.ConcurrencyStamp, NewStamp()), cancellationToken);
        audit.Add(AuditKind.AccountUnlocked, success: true, reason: "UnlockLink", user: user);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogUnlocked(logger, user.Id);
        return LinkRedemptionStatus.Valid;
    }

    /// <summary>
    /// Unlocks a tracked, freshly read user in the caller's unit of work (a password reset, R-7.4).
    /// </summary>
    public void Unlock(ApplicationUser user, string reason)
    {
        if (user.LockedAt is not null)
        {
            audit.Add(AuditKind.AccountUnlocked, success: true, reason: reason, user: user);
        }

        user.LockedAt = null;
        user.AccessFailedCount = 0;
    }

    private void AnnounceLock(ApplicationUser user)
    {
        var (token, expiresAt) = links.Issue(user, LinkPurpose.Unlock);
        outbox.Enqueue(MailTemplate.AccountLocked, user.Email!, user.DisplayName, CultureInfo.CurrentUICulture, new Dictionary<string, string>
        {
            [MailValues.UserName] = user.DisplayName ?? user.Email!,
            [MailValues.UnlockUrl] = urls.Create(UnlockPage, token),
            [MailValues.ExpiresAt] = MailValues.Moment(expiresAt),
        });
        audit.Add(AuditKind.AccountLocked, success: true, reason: $"{options.Value.MaxFailedAttempts} consecutive wrong passwords", user: user);
        LogLocked(logger, user.Id);
    }

    private static string NewStamp() => Guid.NewGuid().ToString();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {UserId} locked after consecutive wrong passwords; unlock mail queued")]
    private static partial void LogLocked(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId} unlocked by its mailed link")]
    private static partial void LogUnlocked(ILogger logger, Guid userId);
}
