using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
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
        var counted = await IncrementAsync(key, cancellationToken);
        if (counted == 0)
        {
            // No row yet, or locked: create it if missing (a parallel first failure may do the same), count again.
            await InsertIfAbsentAsync(key, cancellationToken);
            counted = await IncrementAsync(key, cancellationToken);
        }

        var max = options.Value.MaxFailedAttempts;
        var now = time.GetUtcNow();
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

    private Task<int> IncrementAsync(string key, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxFailedAttempts;
        var now = time.GetUtcNow();
        return db.SignInFailureCounters
            .Where(c => c.Key == key && c.LockedAt == null && c.Failures < max)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Failures, c => c.Failures + 1).SetProperty(c => c.UpdatedAt, now), cancellationToken);
    }

    /// <summary>
    /// Creates the key's row at zero unless it exists. The insert skips a row that a parallel first
    /// failure (on any node) created instead of failing on its key, so an attacker's burst is
    /// neither an error nor a line in the error log.
    /// </summary>
    private async Task InsertIfAbsentAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (db.Database.IsSqlServer())
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO [SignInFailureCounters] ([Key], [Failures], [UpdatedAt])
                SELECT {key}, 0, {now}
                WHERE NOT EXISTS (SELECT 1 FROM [SignInFailureCounters] WITH (UPDLOCK, HOLDLOCK) WHERE [Key] = {key})
                """, cancellationToken);
            return;
        }

        // SQLite keeps DateTimeOffset as a sortable integer (see IdpDbContext); PostgreSQL as timestamptz.
        var updatedAt = db.Database.IsSqlite() ? new DateTimeOffsetToBinaryConverter().ConvertToProvider(now)! : now;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "SignInFailureCounters" ("Key", "Failures", "UpdatedAt")
            VALUES ({key}, 0, {updatedAt})
            ON CONFLICT ("Key") DO NOTHING
            """, cancellationToken);
    }

    private static string Hash(string value) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
