using System.Data.Common;
using IdentityProvider.Data;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace IdentityProvider.Tests.Persistence;

/// <summary>
/// One SaveChanges at a time writes to the SQLite file, the others wait at the gate (not in
/// SQLite's 150 ms busy sleep); SaveChanges inside an explicit transaction is not gated; a failed
/// save, or one that lost a concurrency check, gives its turn back.
/// </summary>
public sealed class SqliteWriteGateTests
{
    private string path = null!;
    private DbContextOptions<IdpDbContext> options = null!;
    private FirstInsertBlocker blocker = null!;

    [SetUp]
    public void SetUp()
    {
        blocker = new FirstInsertBlocker();
        path = Path.Combine(Path.GetTempPath(), "idp-gate-" + Guid.NewGuid().ToString("N") + ".db");
        options = new DbContextOptionsBuilder<IdpDbContext>()
            .UseSqlite($"Data Source={path}")
            .AddInterceptors(new SqliteWriteGate(NullLogger<SqliteWriteGate>.Instance), blocker)
            .Options;
        using var db = new IdpDbContext(options);
        db.Database.EnsureCreated();
    }

    [TearDown]
    public void TearDown()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(path);
    }

    [Test]
    public async Task SecondWriter_WaitsUntilTheFirstHasSaved()
    {
        await using var first = new IdpDbContext(options);
        await using var second = new IdpDbContext(options);
        first.Tenants.Add(NewTenant());
        second.Tenants.Add(NewTenant());

        var firstSave = first.SaveChangesAsync();
        await blocker.Blocked.WaitAsync(TimeSpan.FromSeconds(10));
        var secondSave = second.SaveChangesAsync();
        await Task.Delay(300);
        var secondWaited = !secondSave.IsCompleted;
        blocker.Release();
        await Task.WhenAll(firstSave, secondSave).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(async () =>
        {
            Assert.That(secondWaited, Is.True, "the second SaveChanges waits at the gate");
            await using var db = new IdpDbContext(options);
            Assert.That(await db.Tenants.CountAsync(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task SaveChangesInExplicitTransaction_IsNotGated()
    {
        await using var first = new IdpDbContext(options);
        await using var second = new IdpDbContext(options);
        first.Tenants.Add(NewTenant());
        var firstSave = first.SaveChangesAsync();
        await blocker.Blocked.WaitAsync(TimeSpan.FromSeconds(10));

        await using (var transaction = await second.Database.BeginTransactionAsync())
        {
            second.Tenants.Add(NewTenant());
            await second.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(5));
            await transaction.CommitAsync();
        }

        blocker.Release();
        await firstSave.WaitAsync(TimeSpan.FromSeconds(10));
        await using var db = new IdpDbContext(options);
        Assert.That(await db.Tenants.CountAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task FailedSave_ReleasesTheGate()
    {
        blocker.Release();
        var name = "same-" + Guid.NewGuid().ToString("N");
        await using (var db = new IdpDbContext(options))
        {
            db.Tenants.Add(NewTenant(name));
            await db.SaveChangesAsync();
        }

        await using (var duplicate = new IdpDbContext(options))
        {
            duplicate.Tenants.Add(NewTenant(name));
            Assert.ThrowsAsync<DbUpdateException>(() => duplicate.SaveChangesAsync());
        }

        await using var next = new IdpDbContext(options);
        next.Tenants.Add(NewTenant());
        Assert.That(await next.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(1));
    }

    [Test]
    public async Task SaveThatLosesAConcurrencyCheck_ReleasesTheGate()
    {
        blocker.Release();
        var tenant = NewTenant();
        await using (var db = new IdpDbContext(options))
        {
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync();
        }

        await using (var stale = new IdpDbContext(options))
        {
            var loaded = await stale.Tenants.SingleAsync(t => t.Id == tenant.Id);
            await using (var other = new IdpDbContext(options))
            {
                other.Tenants.Remove(await other.Tenants.SingleAsync(t => t.Id == tenant.Id));
                await other.SaveChangesAsync();
            }

            loaded.Name = "renamed-" + Guid.NewGuid().ToString("N");
            Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.SaveChangesAsync());
        }

        // Well under the gate's 30 s: the losing save gave its turn back.
        await using var next = new IdpDbContext(options);
        next.Tenants.Add(NewTenant());
        Assert.That(await next.SaveChangesAsync().WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo(1));
    }

    private static Tenant NewTenant(string? name = null) => new() { Id = Guid.NewGuid(), Name = name ?? "t-" + Guid.NewGuid().ToString("N") };

    /// <summary>Holds the first INSERT before it reaches SQLite, until released.</summary>
    private sealed class FirstInsertBlocker : DbCommandInterceptor
    {
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int inserts;

        public Task Blocked => blocked.Task;

        public void Release() => released.TrySetResult();

        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await HoldAsync(command);
            return result;
        }

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await HoldAsync(command);
            return result;
        }

        private async Task HoldAsync(DbCommand command)
        {
            if (command.CommandText.Contains("INSERT", StringComparison.OrdinalIgnoreCase) && Interlocked.Increment(ref inserts) == 1)
            {
                blocked.TrySetResult();
                await released.Task;
            }
        }
    }
}
