using IdentityProvider.Data;
using IdentityProvider.Persistence;
using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityProvider.Tests.Persistence;

/// <summary>
/// <see cref="SqliteWriter"/> runs every write on its one thread, in the order queued, under the
/// caller's execution context; a failure reaches its caller and not the next write; writes queued
/// before the host stops still run. Saves waiting together are group-committed: each in its own
/// transaction, on the writer's own connection, one fsync of the write-ahead log for all, no caller
/// answered before it; without WAL, inside the caller's transaction or on a connection the caller
/// holds open, SQLite's own fsync as before.
/// </summary>
public sealed class SqliteWriterTests
{
    private string path = null!;
    private DbContextOptions<IdpDbContext> options = null!;

    [SetUp]
    public void SetUp()
    {
        path = Path.Combine(Path.GetTempPath(), "idp-writer-" + Guid.NewGuid().ToString("N") + ".db");
        options = new DbContextOptionsBuilder<IdpDbContext>().UseSqlite($"Data Source={path}").Options;
        using var db = new IdpDbContext(options);
        db.Database.EnsureCreated();
    }

    [TearDown]
    public void TearDown()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task SavesWaitingTogether_CommitEachInItsOwnTransaction_WithOneFsync()
    {
        UseJournalMode("WAL");
        using var writer = new SqliteWriter();
        using var release = new ManualResetEventSlim();
        var blocking = writer.RunAsync(() => release.Wait(TimeSpan.FromSeconds(10)));
        var contexts = Enumerable.Range(0, 5).Select(_ => new IdpDbContext(options)).ToList();
        var names = new[] { "a", "b", "dup", "dup", "c" };
        for (var i = 0; i < contexts.Count; i++)
        {
            contexts[i].Tenants.Add(NewTenant(names[i]));
        }

        var saves = contexts.Select(writer.SaveChangesAsync).ToList();
        await Task.Delay(100);
        Assert.That(saves.Any(s => s.IsCompleted), Is.False, "queued behind the blocking write");
        release.Set();
        await blocking.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.WhenAll(saves.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(TimeSpan.FromSeconds(10));

        await using var db = new IdpDbContext(options);
        Assert.Multiple(async () =>
        {
            Assert.That(saves.Select(s => s.IsCompletedSuccessfully), Is.EqualTo(new[] { true, true, true, false, true }),
                "the second 'dup' fails alone");
            Assert.That(saves[3].Exception?.InnerException, Is.InstanceOf<DbUpdateException>());
            Assert.That(writer.Syncs, Is.EqualTo(1), "one fsync for the four commits");
            Assert.That(writer.Completed, Is.EqualTo(6));
            Assert.That(await db.Tenants.OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(), Is.EqualTo(new[] { "a", "b", "c", "dup" }));
        });
        contexts.ForEach(c => c.Dispose());
    }

    /// <summary>
    /// In WAL mode the save commits without SQLite's fsync and the writer fsyncs the log before
    /// answering; with a rollback journal SQLite's own fsync stays (a journal is never left unsynced).
    /// Either way the context is left with a closed connection of its own at <c>synchronous=FULL</c>
    /// for whatever it does next.
    /// </summary>
    [TestCase("WAL", 1)]
    [TestCase("DELETE", 0)]
    public async Task ASave_IsAnsweredOnceOnDisk_AndLeavesTheContextItsOwnConnection(string journalMode, int writersFsyncs)
    {
        UseJournalMode(journalMode);
        using var writer = new SqliteWriter();
        await using var db = new IdpDbContext(options);
        db.Tenants.Add(NewTenant("saved"));

        Assert.That(await writer.SaveChangesAsync(db).WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(1));

        Assert.Multiple(async () =>
        {
            Assert.That(writer.Syncs, Is.EqualTo(writersFsyncs), "the writer's fsync happened before the caller was answered");
            Assert.That(db.Database.GetDbConnection().State, Is.EqualTo(ConnectionState.Closed));
            await db.Database.OpenConnectionAsync();
            Assert.That(Synchronous(db.Database.GetDbConnection()), Is.EqualTo(2), "FULL");
            Assert.That(await db.Tenants.CountAsync(t => t.Name == "saved"), Is.EqualTo(1), "the context reads on");
        });
    }

    /// <summary>
    /// Canary for what group commit relies on in SQLite: in WAL mode a commit at
    /// <c>synchronous=NORMAL</c> is appended to <c>&lt;database&gt;-wal</c> and not yet synced,
    /// and that file — the one the writer fsyncs before answering — holds it: the log grows by the
    /// commit, the database file does not change, and a fresh connection reads the row. Should SQLite
    /// put its log elsewhere or write the commit into the database file, the writer's fsync would
    /// cover nothing and this fails.
    /// </summary>
    [Test]
    public async Task Canary_AWalCommit_LandsInTheLogFileTheWriterFsyncs()
    {
        UseJournalMode("WAL");
        using var writer = new SqliteWriter();
        await using (var warm = new IdpDbContext(options))
        {
            warm.Tenants.Add(NewTenant());
            await writer.SaveChangesAsync(warm);
        }

        var log = new FileInfo(path + "-wal");
        var logBefore = log.Length;
        var databaseBefore = File.ReadAllBytes(path);
        await using var db = new IdpDbContext(options);
        db.Tenants.Add(NewTenant("in-the-log"));
        await writer.SaveChangesAsync(db);
        log.Refresh();

        await using var reader = new SqliteConnection($"Data Source={path}");
        await reader.OpenAsync();
        using var count = reader.CreateCommand();
        count.CommandText = "SELECT count(*) FROM Tenants WHERE Name = 'in-the-log'";
        Assert.Multiple(async () =>
        {
            Assert.That(log.Length, Is.GreaterThan(logBefore), "the commit was appended to the -wal file");
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(databaseBefore), "and not written into the database file");
            Assert.That((long)(await count.ExecuteScalarAsync())!, Is.EqualTo(1));
        });
    }

    /// <summary>
    /// Group-committed saves run on the writer's one connection, kept open between batches so its
    /// page cache (a larger one) outlives its commits, at <c>synchronous=NORMAL</c> (the batch's
    /// fsync stands in for SQLite's); no context opens a connection of its own for them, and each
    /// gets its own back.
    /// </summary>
    [Test]
    public async Task SavesInWalMode_RunOnTheWritersOneConnection_NotTheContexts()
    {
        UseJournalMode("WAL");
        using var writer = new SqliteWriter();
        var recorder = new ConnectionRecorder();
        var recorded = new DbContextOptionsBuilder<IdpDbContext>().UseSqlite($"Data Source={path}").AddInterceptors(recorder).Options;

        foreach (var name in new[] { "first", "second" })
        {
            await using var db = new IdpDbContext(recorded);
            var own = db.Database.GetDbConnection();
            db.Tenants.Add(NewTenant(name));
            await writer.SaveChangesAsync(db).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(db.Database.GetDbConnection(), Is.Not.SameAs(own).And.Not.SameAs(recorder.Inserts.Last()));
        }

        Assert.Multiple(() =>
        {
            Assert.That(recorder.Inserts, Has.Count.EqualTo(2));
            Assert.That(recorder.Inserts[1], Is.SameAs(recorder.Inserts[0]), "one connection for both saves");
            Assert.That(recorder.Opened, Is.Zero, "no context opened a connection for its save");
            Assert.That(recorder.Inserts[0].State, Is.EqualTo(ConnectionState.Open), "kept open between batches");
            Assert.That(Synchronous(recorder.Inserts[0]), Is.EqualTo(1), "NORMAL");
            Assert.That(Pragma(recorder.Inserts[0], "cache_size"), Is.EqualTo(-SqliteWriter.CacheKibibytes));
            Assert.That(writer.Syncs, Is.EqualTo(2));
        });
    }

    /// <summary>A connection the caller holds open is the caller's: the save runs on it, with SQLite's own fsync.</summary>
    [Test]
    public async Task ASaveOnAConnectionTheCallerHoldsOpen_RunsThere()
    {
        UseJournalMode("WAL");
        using var writer = new SqliteWriter();
        await using var db = new IdpDbContext(options);
        await db.Database.OpenConnectionAsync();
        var own = db.Database.GetDbConnection();
        db.Tenants.Add(NewTenant("held"));

        Assert.That(await writer.SaveChangesAsync(db).WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(writer.Syncs, Is.Zero);
            Assert.That(db.Database.GetDbConnection(), Is.SameAs(own));
            Assert.That(own.State, Is.EqualTo(ConnectionState.Open));
            Assert.That(Synchronous(own), Is.EqualTo(2), "FULL");
        });
    }

    [Test]
    public async Task ASaveInsideTheCallersTransaction_IsLeftToThatTransaction()
    {
        UseJournalMode("WAL");
        using var writer = new SqliteWriter();
        await using var db = new IdpDbContext(options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.Tenants.Add(NewTenant("in-transaction"));

        Assert.That(await writer.SaveChangesAsync(db).WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(writer.Syncs, Is.Zero, "the caller's commit, not this save, makes it durable");
            Assert.That(Synchronous(db.Database.GetDbConnection()), Is.EqualTo(2));
        });

        await transaction.RollbackAsync();
        await using var other = new IdpDbContext(options);
        Assert.That(await other.Tenants.AnyAsync(t => t.Name == "in-transaction"), Is.False, "the caller's rollback undid the save");
    }

    [Test]
    public async Task ASaveThatWritesNothing_NeedsNoFsync()
    {
        UseJournalMode("WAL");
        using var writer = new SqliteWriter();
        await using var db = new IdpDbContext(options);

        Assert.That(await writer.SaveChangesAsync(db).WaitAsync(TimeSpan.FromSeconds(10)), Is.Zero);
        Assert.That(writer.Syncs, Is.Zero);
    }

    /// <summary>EF Core creates SQLite databases in WAL mode; the tests say which mode they need.</summary>
    private void UseJournalMode(string mode)
    {
        using var db = new IdpDbContext(options);
        db.Database.OpenConnection();
        using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA journal_mode={mode}";
        Assert.That(command.ExecuteScalar(), Is.EqualTo(mode.ToLowerInvariant()));
    }

    private static long Synchronous(DbConnection connection) => Pragma(connection, "synchronous");

    private static long Pragma(DbConnection connection, string pragma)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The connections INSERTs ran on, and how many connections the context opened itself.</summary>
    private sealed class ConnectionRecorder : DbCommandInterceptor, IDbConnectionInterceptor
    {
        public List<DbConnection> Inserts { get; } = [];

        public int Opened { get; private set; }

        public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
        {
            Record(command);
            return result;
        }

        public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            Record(command);
            return result;
        }

        public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Opened++;

        public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Opened++;
            return Task.CompletedTask;
        }

        private void Record(DbCommand command)
        {
            if (command.CommandText.Contains("INSERT", StringComparison.Ordinal))
            {
                Inserts.Add(command.Connection!);
            }
        }
    }

    private static Tenant NewTenant(string? name = null) => new() { Id = Guid.NewGuid(), Name = name ?? "t-" + Guid.NewGuid().ToString("N") };

    [Test]
    public async Task Writes_RunOnTheWritersOneThread_InTheOrderQueued()
    {
        using var writer = new SqliteWriter();
        var order = new List<int>();
        var writes = Enumerable.Range(0, 50)
            .Select(i => writer.RunAsync(() =>
            {
                order.Add(i);
                return Environment.CurrentManagedThreadId;
            }))
            .ToList();

        var threads = await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(threads.Distinct(), Is.EqualTo(new[] { writer.ThreadId }));
            Assert.That(writer.ThreadId, Is.Not.EqualTo(Environment.CurrentManagedThreadId));
            Assert.That(order, Is.EqualTo(Enumerable.Range(0, 50)));
            Assert.That(writer.Completed, Is.EqualTo(50));
        });
    }

    [Test]
    public async Task AFailedWrite_FailsItsCaller_AndTheNextWriteRuns()
    {
        using var writer = new SqliteWriter();
        var failed = writer.RunAsync<int>(() => throw new InvalidOperationException("constraint"));
        var next = writer.RunAsync(() => 7);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => failed.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(thrown!.Message, Is.EqualTo("constraint"));
        Assert.That(await next.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(7));
    }

    private static readonly AsyncLocal<string?> Request = new();

    [Test]
    public async Task AWrite_SeesItsCallersExecutionContext()
    {
        using var writer = new SqliteWriter();
        Request.Value = "request-1";
        var first = writer.RunAsync(() => Request.Value);
        Request.Value = "request-2";
        var second = writer.RunAsync(() => Request.Value);
        Request.Value = null;

        Assert.That(await first.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("request-1"));
        Assert.That(await second.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo("request-2"));
    }

    [Test]
    public async Task Dispose_RunsTheWritesAlreadyQueued_ThenRefusesNewOnes()
    {
        var writer = new SqliteWriter();
        using var release = new ManualResetEventSlim();
        var blocking = writer.RunAsync(() => release.Wait(TimeSpan.FromSeconds(10)));
        var queued = Enumerable.Range(0, 5).Select(i => writer.RunAsync(() => i)).ToList();

        var stopping = Task.Run(writer.Dispose);
        await Task.Delay(100);
        Assert.That(stopping.IsCompleted, Is.False, "Dispose waits for the queued writes");
        release.Set();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Multiple(() =>
        {
            Assert.That(blocking.IsCompletedSuccessfully && blocking.Result, Is.True);
            Assert.That(queued.Select(t => t.IsCompletedSuccessfully ? t.Result : -1), Is.EqualTo(Enumerable.Range(0, 5)));
            Assert.That(() => writer.RunAsync(() => 0), Throws.InstanceOf<ObjectDisposedException>());
        });
    }
}
