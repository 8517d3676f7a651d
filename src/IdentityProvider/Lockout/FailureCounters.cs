using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Lockout;

/// <summary>
/// Consecutive-failure counters without a user row (<see cref="SignInFailureCounter"/>): addresses
/// that are not registered, and device cookies. Each change is one conditional UPDATE, so parallel
/// failures on any number of nodes never count past the limit and exactly one of them locks.
/// Runs inside the caller's transaction.
/// </summary>
public sealed class FailureCounters(IdpDbContext db, TimeProvider time, IOptions<LockoutOptions> options)
{
    public static string AddressKey(string email) => "address:" + Hash(email.Trim().ToUpperInvariant());

    public static string DeviceKey(string nonce) => "device:" + Hash(nonce);

    public async Task<FailureResult> RecordFailureAsync(string key, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxFailedAttempts;
        var now = time.GetUtcNow();
        var counted = await db.SignInFailureCounters
            .Where(c => c.Key == key && c.LockedAt == null && c.Failures < max)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Failures, c => c.Failures + 1).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        if (counted == 0 && await InsertFirstAsync(key, now, cancellationToken))
        {
            counted = 1;
        }

        var locked = await db.SignInFailureCounters
            .Where(c => c.Key == key && c.LockedAt == null && c.Failures >= max)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LockedAt, now), cancellationToken);
        return locked == 1 ? FailureResult.LockedNow
            : counted == 0 ? FailureResult.AlreadyLocked
            : FailureResult.Counted;
    }

    public Task<bool> IsLockedAsync(string key, CancellationToken cancellationToken) =>
        db.SignInFailureCounters.AnyAsync(c => c.Key == key && c.LockedAt != null, cancellationToken);

    /// <summary>A success: the count starts again (a locked counter stays locked).</summary>
    public Task ResetAsync(string key, CancellationToken cancellationToken) =>
        db.SignInFailureCounters
            .Where(c => c.Key == key && c.LockedAt == null && c.Failures > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Failures, 0).SetProperty(c => c.UpdatedAt, time.GetUtcNow()), cancellationToken);

    /// <summary>
    /// The first failure of a key creates its row. When another node created it in between, the
    /// insert fails on the key (SaveChanges rolls back to its savepoint) and the update runs again.
    /// </summary>
    private async Task<bool> InsertFirstAsync(string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.SignInFailureCounters.AnyAsync(c => c.Key == key, cancellationToken))
        {
            return false;
        }

        var row = new SignInFailureCounter { Key = key, Failures = 1, UpdatedAt = now };
        db.SignInFailureCounters.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            db.Entry(row).State = EntityState.Detached;
            var max = options.Value.MaxFailedAttempts;
            return await db.SignInFailureCounters
                .Where(c => c.Key == key && c.LockedAt == null && c.Failures < max)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Failures, c => c.Failures + 1).SetProperty(c => c.UpdatedAt, now), cancellationToken) == 1;
        }
    }

    private static string Hash(string value) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
