using System.Globalization;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Links;
using IdentityProvider.Lockout;
using IdentityProvider.Mail;
using IdentityProvider.TwoFactor;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Recovery;

/// <summary>
/// Forgotten password: a mailed single-use link, then a new password that unlocks
/// the account and resets the two-step verification registration. Whoever holds the
/// mailbox can do this, so the reset is audited and the user is told on every channel they have.
/// </summary>
public sealed partial class PasswordReset(
    IdpDbContext db,
    UserManager<ApplicationUser> users,
    LinkTokens links,
    LinkUrls urls,
    MailOutbox outbox,
    AuditLog audit,
    AccountLockout lockout,
    TwoFactorRegistration twoFactor,
    TimeProvider time,
    ILogger<PasswordReset> logger)
{
    public const string ResetPage = "/Account/ResetPassword";

    /// <summary>
    /// Mails a reset link when the address belongs to a password user; otherwise only audits. The
    /// caller answers the same either way, and both ways write to the database once.
    /// </summary>
    public async Task RequestAsync(string email, CancellationToken cancellationToken)
    {
        email = email.Trim();
        var user = await users.FindByEmailAsync(email);
        if (user is { LoginMethod: LoginMethod.Password, PasswordHash: not null })
        {
            var (token, expiresAt) = links.Issue(user, LinkPurpose.PasswordReset);
            outbox.Enqueue(MailTemplate.PasswordReset, user.Email!, user.DisplayName, CultureInfo.CurrentUICulture, new Dictionary<string, string>
            {
                [MailValues.UserName] = user.DisplayName ?? user.Email!,
                [MailValues.ResetUrl] = urls.Create(ResetPage, token),
                [MailValues.ExpiresAt] = MailValues.Moment(expiresAt),
            });
            audit.Add(AuditKind.PasswordResetRequested, success: true, user: user);
        }
        else
        {
            audit.Add(AuditKind.PasswordResetRequested, success: false, reason: user is null ? "UnknownUser" : "OtherLoginMethod", user: user, subject: email);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Whether a reset link still works, without using it (the GET of the form).</summary>
    public Task<LinkRedemption> CheckLinkAsync(string? token, CancellationToken cancellationToken) =>
        links.CheckAsync(token, LinkPurpose.PasswordReset, cancellationToken);

    /// <summary>
    /// Sets the new password through the link, once: in one transaction the link is used, the
    /// password, lock, 2FA registration and security stamp change (which kills every older link and
    /// session), the notice is queued and the audit written.
    /// </summary>
    public async Task<PasswordResetResult> CompleteAsync(string? token, string password, CancellationToken cancellationToken)
    {
        var link = await links.CheckAsync(token, LinkPurpose.PasswordReset, cancellationToken);
        if (link.Status != LinkRedemptionStatus.Valid)
        {
            return new PasswordResetResult(link.Status, []);
        }

        var errors = await ValidateAsync(link.User!, password);
        if (errors.Count > 0)
        {
            return new PasswordResetResult(LinkRedemptionStatus.Valid, errors);
        }

        // Hashing is slow on purpose: done before the transaction, so that no write lock waits for it.
        var hash = users.PasswordHasher.HashPassword(link.User!, password);
        try
        {
            return new PasswordResetResult(await ApplyAsync(link, hash, cancellationToken), []);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A parallel change of the same user (another reset, a lock) won; this link's stamp is gone.
            return new PasswordResetResult(LinkRedemptionStatus.Superseded, []);
        }
    }

    private async Task<LinkRedemptionStatus> ApplyAsync(LinkRedemption link, string hash, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await links.ConsumeAsync(link.Token!, cancellationToken))
        {
            return LinkRedemptionStatus.Used;
        }

        var user = link.User!;
        await db.Entry(user).ReloadAsync(cancellationToken);
        if (user.LoginMethod != LoginMethod.Password || user.SecurityStamp != link.Token!.SecurityStamp)
        {
            return LinkRedemptionStatus.Superseded;
        }

        user.PasswordHash = hash;
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        lockout.Unlock(user, "PasswordReset");
        var cleared = await twoFactor.ResetAsync(user, "PasswordReset", cancellationToken);
        audit.Add(AuditKind.PasswordResetCompleted, success: true, user: user);
        Notify(user, cleared);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogCompleted(logger, user.Id);
        return LinkRedemptionStatus.Valid;
    }

    /// <summary>
    /// The moment a stolen mailbox could become a stolen account: the notice goes to the mailbox
    /// (read by the owner too, or kept by a forwarding rule) and to the phone that was registered for
    /// two-step verification, once SMS sending exists (the 2FA issue).
    /// </summary>
    private void Notify(ApplicationUser user, TwoFactorReset cleared)
    {
        outbox.Enqueue(MailTemplate.PasswordResetNotice, user.Email!, user.DisplayName, CultureInfo.CurrentUICulture, new Dictionary<string, string>
        {
            [MailValues.UserName] = user.DisplayName ?? user.Email!,
            [MailValues.ResetAt] = MailValues.Moment(time.GetUtcNow()),
        });
        if (cleared.FormerPhoneNumber is not null)
        {
            LogPhoneNoticePending(logger, user.Id);
        }
    }

    private async Task<IReadOnlyList<string>> ValidateAsync(ApplicationUser user, string password)
    {
        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, user, password);
            errors.AddRange(result.Errors.Select(e => e.Description));
        }

        return errors;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password of {UserId} reset through a mailed link; account unlocked, two-step verification registration reset")]
    private static partial void LogCompleted(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password of {UserId} reset: the registered phone is not told, SMS notices are not available yet")]
    private static partial void LogPhoneNoticePending(ILogger logger, Guid userId);
}
