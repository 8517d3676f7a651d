using IdentityProvider.Audit;
using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Lockout;
using IdentityProvider.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Login;

/// <summary>
/// Checks an e-mail and password and starts the browser session, with the lockout. Unknown
/// addresses cost the same password-hash work and the same database round trips as known ones,
/// and lock after as many failures, so neither the answer nor its timing tells which addresses
/// exist. A browser with a device cookie (when enabled) is judged apart from the account's lock.
/// Every password hash of a sign-in — a check, a decoy, a re-hash — waits for a
/// <see cref="PasswordHashSlots"/> slot alike: each holds the configured Argon2id memory.
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
            var stored = user.PasswordHash;
            await hashing.RunAsync(() => users.PasswordHasher.VerifyHashedPassword(user, stored, password), cancellationToken);
            await audit.WriteAsync(AuditKind.SignIn, success: false, reason: nameof(PasswordSignInOutcome.NotAllowed), user: user, subject: email, cancellationToken: cancellationToken);
            return new PasswordSignInResult(PasswordSignInOutcome.NotAllowed, ShowLocked: false);
        }

        var check = await VerifyAsync(user, password, cancellationToken);
        // Every outcome from here is written in one transaction (InOneTransactionAsync), and all of
        // it runs on one connection, opened after the hash and its wait for a slot.
        await using var connection = await HeldConnection.OpenAsync(db, cancellationToken);
        var device = devices.Enabled ? devices.FindNonce(user.Id) : null;
        if (device is not null && !await counters.IsLockedAsync(FailureCounters.DeviceKey(device), cancellationToken))
        {
            return await DeviceSignInAsync(user, email, check, FailureCounters.DeviceKey(device), cancellationToken);
        }

        if (!check.Verified)
        {
            var counted = await CountFailureAsync(() => lockout.RecordWrongPasswordAsync(user, cancellationToken), PasswordSignInOutcome.WrongPassword, user, email, cancellationToken);
            return new PasswordSignInResult(counted == FailureResult.Counted ? PasswordSignInOutcome.WrongPassword : PasswordSignInOutcome.LockedOut, counted != FailureResult.Counted);
        }

        // One success in one transaction, like a failure (CountFailureAsync): the counter reset and
        // sign-in time, and the audit event. The session's principal in between needs no query.
        return await InOneTransactionAsync(async () =>
        {
            await StoreRehashAsync(user, check, cancellationToken);
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
    /// failure counted like a real account's, so that its tenth attempt also answers "locked". The
    /// work is hashing the attempt with the configured hasher: one derivation with the configured
    /// parameters, as verifying a current hash is, whatever those parameters are.
    /// </summary>
    private async Task<PasswordSignInResult> WithoutPasswordAsync(ApplicationUser? user, string email, string password, CancellationToken cancellationToken)
    {
        await hashing.RunAsync(() => users.PasswordHasher.HashPassword(new ApplicationUser(), password), cancellationToken);
        var outcome = user is null ? PasswordSignInOutcome.UnknownUser : PasswordSignInOutcome.OtherLoginMethod;
        var counted = await CountFailureAsync(() => counters.RecordFailureAsync(FailureCounters.AddressKey(email), cancellationToken), outcome, user, email, cancellationToken);
        return new PasswordSignInResult(outcome, ShowLocked: counted != FailureResult.Counted);
    }

    /// <summary>A trusted browser: its failures count against its own cookie, and the account's lock does not stop it.</summary>
    private async Task<PasswordSignInResult> DeviceSignInAsync(ApplicationUser user, string email, PasswordCheck check, string deviceKey, CancellationToken cancellationToken)
    {
        if (!check.Verified)
        {
            var counted = await CountFailureAsync(() => counters.RecordFailureAsync(deviceKey, cancellationToken), PasswordSignInOutcome.WrongPassword, user, email, cancellationToken, "device cookie");
            // Once the cookie itself is locked this browser is like any other: locked when the account is.
            var locked = counted != FailureResult.Counted && user.LockedAt is not null;
            return new PasswordSignInResult(locked ? PasswordSignInOutcome.LockedOut : PasswordSignInOutcome.WrongPassword, locked);
        }

        return await InOneTransactionAsync(async () =>
        {
            await StoreRehashAsync(user, check, cancellationToken);
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

    /// <summary>
    /// Checks the password; when it is right but its hash is of an older kind (PBKDF2, or Argon2id
    /// with other parameters), also hashes it anew here, before any connection or transaction is
    /// open, for <see cref="StoreRehashAsync"/> to write with the sign-in's other changes.
    /// </summary>
    private async Task<PasswordCheck> VerifyAsync(ApplicationUser user, string password, CancellationToken cancellationToken)
    {
        var hash = user.PasswordHash!;
        var result = await hashing.RunAsync(() => users.PasswordHasher.VerifyHashedPassword(user, hash, password), cancellationToken);
        return result switch
        {
            PasswordVerificationResult.Failed => new PasswordCheck(false, hash, null),
            PasswordVerificationResult.SuccessRehashNeeded =>
                new PasswordCheck(true, hash, await hashing.RunAsync(() => users.PasswordHasher.HashPassword(user, password), cancellationToken)),
            _ => new PasswordCheck(true, hash, null),
        };
    }

    /// <summary>
    /// Replaces a verified password's outdated hash, inside the sign-in's transaction. A targeted
    /// update, not UserManager's whole-row one, which could undo a parallel count; only while the
    /// stored hash is still the one verified, so that a password reset in between wins; and with
    /// the security stamp left alone: the password is the same, so sessions and links stay valid.
    /// </summary>
    private async Task StoreRehashAsync(ApplicationUser user, PasswordCheck check, CancellationToken cancellationToken)
    {
        if (check.Rehashed is { } rehashed)
        {
            await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == check.StoredHash)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, rehashed), cancellationToken);
        }
    }

    /// <summary>The outcome of <see cref="VerifyAsync"/>: whether the password is right, the hash it was checked against, and its replacement if one is due.</summary>
    private sealed record PasswordCheck(bool Verified, string StoredHash, string? Rehashed);

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
