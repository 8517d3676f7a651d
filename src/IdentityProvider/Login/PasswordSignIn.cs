using IdentityProvider.Audit;
using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Hosting;
using IdentityProvider.Lockout;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Login;

/// <summary>
/// Checks an e-mail and password and starts the browser session, with the lockout. Unknown
/// addresses cost the same password-hash work and the same database round trips as known ones,
/// and lock after as many failures, so neither the answer nor its timing tells which addresses
/// exist. A browser with a device cookie (when enabled) is judged apart from the account's lock.
/// </summary>
public sealed class PasswordSignIn(
    SignInManager<ApplicationUser> signIn,
    UserManager<ApplicationUser> users,
    IdpDbContext db,
    AccountLockout lockout,
    FailureCounters counters,
    DeviceCookies devices,
    AuditLog audit,
    PasswordHashSlots hashing,
    TimeProvider time)
{
    private static readonly Lazy<string> DecoyHash = new(() =>
        new PasswordHasher<ApplicationUser>().HashPassword(new ApplicationUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));

    public async Task<PasswordSignInResult> SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        email = email.Trim();
        var user = await users.FindByEmailAsync(email);
        if (user is null || user.LoginMethod != LoginMethod.Password || user.PasswordHash is null)
        {
            return await WithoutPasswordAsync(user, email, password, cancellationToken);
        }

        if (user.IsAdministrativelyLockedAt(time.GetUtcNow()))
        {
            // An administrative lock (Identity's LockoutEnd): no unlock mail exists for it.
            await CheckHashAsync(user, user.PasswordHash, password, cancellationToken);
            await audit.WriteAsync(AuditKind.SignIn, success: false, reason: nameof(PasswordSignInOutcome.NotAllowed), user: user, subject: email, cancellationToken: cancellationToken);
            return new PasswordSignInResult(PasswordSignInOutcome.NotAllowed, ShowLocked: false);
        }

        var verified = await VerifyAsync(user, password, cancellationToken);
        // Every outcome from here is written in one transaction (InOneTransactionAsync), and all of
        // it runs on one connection, opened after the hash and its wait for a slot.
        await using var connection = await HeldConnection.OpenAsync(db, cancellationToken);
        var device = devices.Enabled ? devices.FindNonce(user.Id) : null;
        if (device is not null && !await counters.IsLockedAsync(FailureCounters.DeviceKey(device), cancellationToken))
        {
            return await DeviceSignInAsync(user, email, verified, FailureCounters.DeviceKey(device), cancellationToken);
        }

        if (!verified)
        {
            var counted = await CountFailureAsync(() => lockout.RecordWrongPasswordAsync(user, cancellationToken), PasswordSignInOutcome.WrongPassword, user, email, cancellationToken);
            return new PasswordSignInResult(counted == FailureResult.Counted ? PasswordSignInOutcome.WrongPassword : PasswordSignInOutcome.LockedOut, counted != FailureResult.Counted);
        }

        // One success in one transaction, like a failure (CountFailureAsync): the counter reset and
        // sign-in time, and the audit event. The session's principal in between needs no query.
        return await InOneTransactionAsync(async () =>
        {
            if (user.LockedAt is not null || !await lockout.RecordSuccessAsync(user, cancellationToken))
            {
                // Locked: even the right password does not open it.
                await audit.WriteAsync(AuditKind.SignIn, success: false, reason: nameof(PasswordSignInOutcome.LockedOut), user: user, subject: email, cancellationToken: cancellationToken);
                return new PasswordSignInResult(PasswordSignInOutcome.LockedOut, ShowLocked: true);
            }

            return await StartSessionAsync(user, reason: null, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// An address nobody can sign in to with a password: the same hash work as a real check, and a
    /// failure counted like a real account's, so that its tenth attempt also answers "locked".
    /// </summary>
    private async Task<PasswordSignInResult> WithoutPasswordAsync(ApplicationUser? user, string email, string password, CancellationToken cancellationToken)
    {
        await CheckHashAsync(new ApplicationUser(), DecoyHash.Value, password, cancellationToken);
        var outcome = user is null ? PasswordSignInOutcome.UnknownUser : PasswordSignInOutcome.OtherLoginMethod;
        var counted = await CountFailureAsync(() => counters.RecordFailureAsync(FailureCounters.AddressKey(email), cancellationToken), outcome, user, email, cancellationToken);
        return new PasswordSignInResult(outcome, ShowLocked: counted != FailureResult.Counted);
    }

    /// <summary>A trusted browser: its failures count against its own cookie, and the account's lock does not stop it.</summary>
    private async Task<PasswordSignInResult> DeviceSignInAsync(ApplicationUser user, string email, bool verified, string deviceKey, CancellationToken cancellationToken)
    {
        if (!verified)
        {
            var counted = await CountFailureAsync(() => counters.RecordFailureAsync(deviceKey, cancellationToken), PasswordSignInOutcome.WrongPassword, user, email, cancellationToken, "device cookie");
            // Once the cookie itself is locked this browser is like any other: locked when the account is.
            var locked = counted != FailureResult.Counted && user.LockedAt is not null;
            return new PasswordSignInResult(locked ? PasswordSignInOutcome.LockedOut : PasswordSignInOutcome.WrongPassword, locked);
        }

        return await InOneTransactionAsync(async () =>
        {
            await counters.ResetAsync(deviceKey, cancellationToken);
            var open = await lockout.RecordSuccessAsync(user, cancellationToken);
            if (!open)
            {
                await lockout.RecordDeviceSignInAsync(user, cancellationToken);
            }

            return await StartSessionAsync(user, reason: open ? "DeviceCookie" : "DeviceCookie while locked", cancellationToken);
        }, cancellationToken);
    }

    /// <summary>One failure in one transaction: the counter's conditional updates, the lock's mail when it locks, the audit event.</summary>
    private Task<FailureResult> CountFailureAsync(Func<Task<FailureResult>> count, PasswordSignInOutcome outcome, ApplicationUser? user, string email, CancellationToken cancellationToken, string? detail = null) =>
        InOneTransactionAsync(async () =>
        {
            var counted = await count();
            var reason = outcome.ToString() + (detail is null ? "" : $" ({detail})") + (counted == FailureResult.Counted ? "" : ", locked");
            audit.Add(AuditKind.SignIn, success: false, reason: reason, user: user, subject: email);
            await db.SaveChangesAsync(cancellationToken);
            return counted;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns, rolled back if it throws.</summary>
    private async Task<T> InOneTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await work();
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private async Task<bool> VerifyAsync(ApplicationUser user, string password, CancellationToken cancellationToken)
    {
        var hash = user.PasswordHash!;
        var result = await CheckHashAsync(user, hash, password, cancellationToken);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            // A targeted update, not UserManager's whole-row one, which could undo a parallel count.
            var rehashed = users.PasswordHasher.HashPassword(user, password);
            await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == hash)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, rehashed), cancellationToken);
        }

        return result != PasswordVerificationResult.Failed;
    }

    /// <summary>Every password check of a sign-in — real or decoy — waits for a <see cref="PasswordHashSlots"/> slot alike.</summary>
    private Task<PasswordVerificationResult> CheckHashAsync(ApplicationUser user, string hash, string password, CancellationToken cancellationToken) =>
        hashing.RunAsync(() => users.PasswordHasher.VerifyHashedPassword(user, hash, password), cancellationToken);

    private async Task<PasswordSignInResult> StartSessionAsync(ApplicationUser user, string? reason, CancellationToken cancellationToken)
    {
        var session = new SessionFacts(time.GetUtcNow(), [SessionFacts.Password]);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, session.ToClaims());
        if (devices.Enabled)
        {
            devices.Issue(user.Id);
        }

        await audit.WriteAsync(AuditKind.SignIn, success: true, reason: reason, user: user, cancellationToken: cancellationToken);
        return new PasswordSignInResult(PasswordSignInOutcome.Succeeded, ShowLocked: false);
    }
}
