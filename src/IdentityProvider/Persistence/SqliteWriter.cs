using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace IdentityProvider.Persistence;

/// <summary>
/// One dedicated thread that runs the SQLite writes of token and authorization requests (the one
/// flush of each, <see cref="OidcRequestWrites"/>) one after another, with the
/// synchronous <c>SaveChanges</c>, under the caller's execution context (its request, logging scope
/// and trace); the caller awaits the result. Registered only when the database is SQLite.
/// <para>
/// Why: SQLite takes one writer at a time, so under load the token endpoint is bounded by the
/// queue of writes rather than by the CPU. On the thread pool the writer of the
/// moment shares the cores with every other request's work, and each next writer's continuation
/// queues behind their work items while the file waits. A thread that only writes is ready the
/// moment a write arrives and runs the next one straight after the commit. Microsoft.Data.Sqlite is
/// synchronous underneath its async methods, so the synchronous save blocks nothing that the
/// asynchronous one would not.
/// </para>
/// <para>
/// Group commit (<see cref="SaveChangesAsync"/>): the thread takes every write waiting in its queue
/// (up to <see cref="MaxBatch"/>), commits each in its own transaction without SQLite's fsync, then
/// fsyncs the write-ahead log once for all of them, and only then lets their callers go on. So no
/// caller is answered before its commit is on disk, as with <c>synchronous=FULL</c>, but one fsync
/// serves many commits. Each write keeps its own transaction: one that fails or loses a concurrency
/// check rolls back alone. The commits run on the thread's own connection, kept open at
/// <c>synchronous=NORMAL</c> (<see cref="WritingConnection"/>), which the request's context borrows
/// for its save. Only in WAL mode (set at migration) and outside a caller's transaction or open
/// connection; otherwise the save runs on the caller's connection with SQLite's own fsync.
/// </para>
/// <para>
/// Writes queued when the host stops are still run before the thread ends (<see cref="Dispose"/>).
/// </para>
/// </summary>
public sealed class SqliteWriter : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for queued writes to finish.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The most writes committed before one fsync.</summary>
    public const int MaxBatch = 64;

    /// <summary>
    /// The page cache of the writing thread's connection, in KiB (SQLite's default is 2,000): a
    /// token's INSERT lands on a random leaf of the primary-key index (ids are random), and a
    /// redemption's UPDATE finds its row through it, so a larger cache keeps more of that index
    /// between commits. One connection; pooled ones keep SQLite's default.
    /// </summary>
    public const int CacheKibibytes = 16 * 1024;

    private readonly BlockingCollection<WorkItem> queue = new();
    private readonly Thread thread;
    private long completed;
    private long syncs;

    /// <summary>The writing thread's own connection (<see cref="WritingConnection"/>); used on the writing thread only.</summary>
    private SqliteConnection? connection;

    /// <summary>The write-ahead log of <see cref="connection"/>'s database; used on the writing thread only.</summary>
    private string? log;

    /// <summary>Whether something was committed on <see cref="connection"/> since the last fsync of <see cref="log"/>.</summary>
    private bool unsynced;

    /// <summary>The first fsync failure of the current batch, for its callers that waited on an fsync.</summary>
    private Exception? syncFailure;

    public SqliteWriter()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "SQLite writer" };
        thread.Start();
    }

    /// <summary>The managed id of the writing thread.</summary>
    public int ThreadId => thread.ManagedThreadId;

    /// <summary>Writes run so far, failed ones included.</summary>
    public long Completed => Interlocked.Read(ref completed);

    /// <summary>fsyncs of the write-ahead log so far, one per batch of group-committed saves that wrote something.</summary>
    public long Syncs => Interlocked.Read(ref syncs);

    /// <summary>Queues <paramref name="write"/>; the task ends with its result or its exception.</summary>
    /// <exception cref="ObjectDisposedException">The writer has been stopped.</exception>
    public Task<T> RunAsync<T>(Func<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        return Enqueue(new WorkItem<T>(_ => write(), ExecutionContext.Capture()));
    }

    /// <summary>
    /// Queues <paramref name="context"/>'s <c>SaveChanges</c>, group-committed: the task ends once its
    /// transaction is committed and the write-ahead log holding it is fsynced.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The writer has been stopped.</exception>
    public Task<int> SaveChangesAsync(DbContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Enqueue(new WorkItem<int>(item => SaveWithoutSync(context, item), ExecutionContext.Capture()));
    }

    public void Dispose()
    {
        queue.CompleteAdding();
        if (Thread.CurrentThread != thread)
        {
            thread.Join(DrainTimeout);
        }
    }

    private Task<T> Enqueue<T>(WorkItem<T> item)
    {
        try
        {
            queue.Add(item);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(SqliteWriter));
        }

        return item.Task;
    }

    private void Run()
    {
        var batch = new List<WorkItem>(MaxBatch);
        foreach (var first in queue.GetConsumingEnumerable())
        {
            batch.Add(first);
            while (batch.Count < MaxBatch && queue.TryTake(out var next))
            {
                batch.Add(next);
            }

            foreach (var item in batch)
            {
                item.Execute();
            }

            SyncLog();
            var failure = syncFailure;
            syncFailure = null;

            foreach (var item in batch)
            {
                Interlocked.Increment(ref completed);
                item.Complete(failure);
            }

            batch.Clear();
        }

        CloseWritingConnection();
    }

    /// <summary>
    /// The save of <see cref="SaveChangesAsync"/>: commits on the writing thread's own connection,
    /// without SQLite's fsync, and marks <paramref name="item"/> as waiting for the batch's fsync of
    /// the log. Runs on the writing thread.
    /// </summary>
    private int SaveWithoutSync(DbContext context, WorkItem item)
    {
        var database = context.Database;
        var own = database.GetDbConnection();
        var connectionString = own.ConnectionString;

        // Inside the caller's transaction the commit is the caller's, not this save's; a connection
        // the caller holds open stays the caller's; without WAL there is no log to fsync later.
        // In each case the save runs as it would anywhere else, with SQLite's own fsync.
        if (database.CurrentTransaction is not null || own.State != ConnectionState.Closed
            || WritingConnection(connectionString) is not { } writing)
        {
            return context.SaveChanges();
        }

        database.SetDbConnection(writing, contextOwnsConnection: false);
        try
        {
            var saved = context.SaveChanges();
            if (saved > 0)
            {
                item.AwaitsSync = true;
                unsynced = true;
            }

            return saved;
        }
        finally
        {
            // The context gets a connection of its own again, made by EF Core when next needed.
            database.SetDbConnection(null, contextOwnsConnection: true);
            database.SetConnectionString(connectionString);
        }
    }

    /// <summary>
    /// The writing thread's connection to the database at <paramref name="connectionString"/>,
    /// opened on first use and kept open while the database is in WAL mode (null otherwise: then
    /// nothing is kept, and the next save asks again). Kept open, its page cache stays valid across
    /// its own commits — a request's pooled connection would read the pages of every table and index
    /// it writes from the file again, as any other connection's commit voids a SQLite cache —
    /// and while it is open no other connection can take the database out of WAL mode, so asking
    /// once is enough. It runs at <c>synchronous=NORMAL</c>: every commit on it is followed by the
    /// batch's fsync of the log before anyone is answered (<see cref="Run"/>).
    /// </summary>
    private SqliteConnection? WritingConnection(string connectionString)
    {
        if (connection is { State: ConnectionState.Open } open && open.ConnectionString == connectionString)
        {
            return open;
        }

        CloseWritingConnection();
        var candidate = new SqliteConnection(connectionString);
        try
        {
            candidate.Open();
            var handle = candidate.Handle!;
            if (!IsWriteAheadLog(handle))
            {
                candidate.Dispose();
                return null;
            }

            SqliteBusyTimeout.Apply(candidate);
            Execute(handle, "PRAGMA synchronous=NORMAL");
            Execute(handle, $"PRAGMA cache_size=-{CacheKibibytes}");
            log = candidate.DataSource + "-wal";
            return connection = candidate;
        }
        catch
        {
            candidate.Dispose();
            throw;
        }
    }

    private void CloseWritingConnection()
    {
        // Commits on it that still wait for their fsync get it first: the log is this connection's.
        SyncLog();
        connection?.Dispose();
        connection = null;
        log = null;
    }

    private static bool IsWriteAheadLog(sqlite3 handle)
    {
        var result = raw.sqlite3_prepare_v2(handle, "PRAGMA journal_mode", out var statement);
        using (statement)
        {
            if (result != raw.SQLITE_OK || raw.sqlite3_step(statement) != raw.SQLITE_ROW)
            {
                throw new SqliteException($"PRAGMA journal_mode: {raw.sqlite3_errmsg(handle).utf8_to_string()}", result);
            }

            return string.Equals(raw.sqlite3_column_text(statement, 0).utf8_to_string(), "wal", StringComparison.OrdinalIgnoreCase);
        }
    }

    private static void Execute(sqlite3 handle, string pragma)
    {
        var result = raw.sqlite3_exec(handle, pragma);
        if (result != raw.SQLITE_OK)
        {
            throw new SqliteException($"{pragma}: {raw.sqlite3_errstr(result).utf8_to_string()}", result);
        }
    }

    /// <summary>
    /// fsyncs the write-ahead log, if anything was committed to it since the last time, through a
    /// descriptor of its own. Only the log: SQLite holds no POSIX locks on it (they are on the
    /// database and the shared-memory file), so closing this descriptor releases none of SQLite's. A
    /// log that no longer exists was checkpointed into the database and removed by the last
    /// connection's close, which syncs the database first. A failure is kept for the batch's callers.
    /// </summary>
    private void SyncLog()
    {
        if (!unsynced)
        {
            return;
        }

        unsynced = false;
        try
        {
            using var file = new FileStream(log!, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            file.Flush(flushToDisk: true);
            Interlocked.Increment(ref syncs);
        }
        catch (FileNotFoundException)
        {
        }
        catch (Exception exception)
        {
            syncFailure ??= exception;
        }
    }

    private abstract class WorkItem
    {
        /// <summary>Whether this item committed to the write-ahead log without an fsync, so its caller waits for the batch's.</summary>
        public bool AwaitsSync { get; set; }

        /// <summary>Runs the write and keeps its outcome.</summary>
        public abstract void Execute();

        /// <summary>Completes the caller's task with the outcome, or with the batch's fsync failure if its commit waited for that fsync.</summary>
        public abstract void Complete(Exception? syncFailure);
    }

    private sealed class WorkItem<T>(Func<WorkItem, T> write, ExecutionContext? context) : WorkItem
    {
        // Continuations run on the thread pool, never on the writer's thread.
        private readonly TaskCompletionSource<T> result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? value;
        private Exception? failure;

        public Task<T> Task => result.Task;

        public override void Execute()
        {
            if (context is null)
            {
                Invoke();
            }
            else
            {
                ExecutionContext.Run(context, static state => ((WorkItem<T>)state!).Invoke(), this);
            }
        }

        public override void Complete(Exception? syncFailure)
        {
            var exception = failure ?? (AwaitsSync ? syncFailure : null);
            if (exception is not null)
            {
                result.SetException(exception);
            }
            else
            {
                result.SetResult(value!);
            }
        }

        private void Invoke()
        {
            try
            {
                value = write(this);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
        }
    }
}
