using IdentityProvider.Data;
using IdentityProvider.Lockout;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Lockout;

/// <summary>
/// <see cref="FailureCounters"/> on each database, called directly: its insert-if-absent is raw SQL
/// per database (<c>INSERT … SELECT … WHERE NOT EXISTS (… WITH (UPDLOCK, HOLDLOCK))</c> on SQL
/// Server, <c>ON CONFLICT DO NOTHING</c> elsewhere), run when a key has no row yet and again, on an
/// existing row, when the key is locked. Each call runs in its own transaction, as in the sign-in.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class FailureCountersTests(DatabaseKind kind) : HostFixture(kind)
{
    private const int Limit = 10;

    [Test]
    public async Task RecordFailure_ForAKeyWithoutARow_CreatesItAndCountsOne()
    {
        var key = NewKey();

        var result = await RecordFailureAsync(key);

        var row = await RowAsync(key);
        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(FailureResult.Counted));
            Assert.That(row?.Failures, Is.EqualTo(1));
            Assert.That(row?.LockedAt, Is.Null);
            Assert.That(row?.UpdatedAt, Is.EqualTo(Host.Clock.GetUtcNow()).Within(TimeSpan.FromSeconds(1)));
        });
    }

    /// <summary>The tenth locks; the eleventh finds the row locked, tries the insert again, and it skips the existing row.</summary>
    [Test]
    public async Task RecordFailure_PastTheLimit_AnswersAlreadyLocked_AndLeavesTheRowAsItWas()
    {
        var key = NewKey();
        var results = new List<FailureResult>();
        for (var i = 0; i < Limit; i++)
        {
            results.Add(await RecordFailureAsync(key));
        }

        var locked = await RowAsync(key);
        Host.Clock.Advance(TimeSpan.FromMinutes(1));

        var after = await RecordFailureAsync(key);

        var row = await RowAsync(key);
        Assert.Multiple(() =>
        {
            Assert.That(results, Is.EqualTo(Enumerable.Repeat(FailureResult.Counted, Limit - 1).Append(FailureResult.LockedNow)));
            Assert.That(after, Is.EqualTo(FailureResult.AlreadyLocked));
            Assert.That(row?.Failures, Is.EqualTo(Limit));
            Assert.That(row?.LockedAt, Is.Not.Null.And.EqualTo(locked?.LockedAt));
            Assert.That(row?.UpdatedAt, Is.EqualTo(locked?.UpdatedAt));
        });
    }

    /// <summary>
    /// Parallel first failures of one key: several find no row and insert at once. Each insert
    /// skips the row another created (no duplicate-key error), and the conditional updates count
    /// exactly to the limit and lock once.
    /// </summary>
    [Test]
    public async Task RecordFailure_InParallelForANewKey_CountsToTheLimitAndLocksOnce_WithoutAnError()
    {
        var key = NewKey();
        var logged = Host.Logs.Lines.Count;

        var results = await Task.WhenAll(Enumerable.Range(0, Limit + 2).Select(_ => Task.Run(() => RecordFailureAsync(key))));

        var row = await RowAsync(key);
        Assert.Multiple(() =>
        {
            Assert.That(results.Count(r => r == FailureResult.Counted), Is.EqualTo(Limit - 1));
            Assert.That(results.Count(r => r == FailureResult.LockedNow), Is.EqualTo(1));
            Assert.That(results.Count(r => r == FailureResult.AlreadyLocked), Is.EqualTo(2));
            Assert.That(row?.Failures, Is.EqualTo(Limit));
            Assert.That(Host.Logs.Lines.Skip(logged).Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error), Is.Empty);
        });
    }

    private static string NewKey() => FailureCounters.AddressKey($"nobody-{Guid.NewGuid():N}@example.test");

    private Task<FailureResult> RecordFailureAsync(string key) => Host.InScopeAsync(async services =>
    {
        var db = services.GetRequiredService<IdpDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var result = await services.GetRequiredService<FailureCounters>().RecordFailureAsync(key, CancellationToken.None);
        await transaction.CommitAsync();
        return result;
    });

    private Task<SignInFailureCounter?> RowAsync(string key) => Host.InScopeAsync(services =>
        services.GetRequiredService<IdpDbContext>().SignInFailureCounters.AsNoTracking().SingleOrDefaultAsync(c => c.Key == key));
}
