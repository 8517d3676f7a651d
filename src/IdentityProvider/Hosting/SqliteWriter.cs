using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace IdentityProvider.Hosting;

/// <summary>
/// One dedicated thread that runs the SQLite writes of token and authorization requests (the one
/// flush of each, <see cref="Authorization.OidcRequestWrites"/>) one after another, with the
/// synchronous <c>SaveChanges</c>, under the caller's execution context (its request, logging scope
/// and trace); the caller awaits the result. Registered only when the database is SQLite.
/// <para>
/// Why: SQLite takes one writer at a time (<see cref="SqliteWriteGate"/>), and under load the refresh
/// grant was bounded by that queue, not by the CPU — the gate was busy ~90 % of the time, each turn
/// ~1.1 ms of wall time for ~0.45 ms of CPU, requests waited ~30 ms for it and ~15 % of the two cores
/// stayed idle: the writer of the moment shared the cores with thirty other requests' threads, and
/// each next writer's continuation queued behind their work items. A thread that only writes is
/// ready the moment a write arrives and runs the next one straight after the commit. Microsoft.Data.Sqlite
/// is synchronous underneath its async methods, so nothing blocks here that did not block before.
/// </para>
/// <para>
/// Group commit (<see cref="SaveChangesAsync"/>): the thread takes every write waiting in its queue
/// (up to <see cref="MaxBatch"/>), commits each in its own transaction without SQLite's fsync
/// (<c>synchronous=NORMAL</c> for that one save, <c>FULL</c> again right after), then fsyncs the
/// write-ahead log once for all of them, and only then lets their callers go on. So no caller is
/// answered before its commit is on disk, as with <c>synchronous=FULL</c>, but one fsync serves many
/// commits. Each write keeps its own transaction: one that fails or loses a concurrency check rolls
/// back alone. Only in WAL mode (set at migration; asked on every save) and outside a caller's
/// transaction; otherwise the save keeps SQLite's own fsync.
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

    private readonly BlockingCollection<WorkItem> queue = new();
    private readonly Thread thread;
    private long completed;
    private long syncs;

    /// <summary>The database's write-ahead log, found on the first group-committed save that wrote (read and written on the writing thread only).</summary>
    private string? log;

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

            var sync = false;
            foreach (var item in batch)
            {
                item.Execute();
                sync |= item.AwaitsSync;
            }

            Exception? syncFailure = null;
            if (sync)
            {
                try
                {
                    Sync(log!);
                }
                catch (Exception exception)
                {
                    syncFailure = exception;
                }
            }

            foreach (var item in batch)
            {
                Interlocked.Increment(ref completed);
                item.Complete(syncFailure);
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// The save of <see cref="SaveChangesAsync"/>: commits without SQLite's fsync and marks
    /// <paramref name="item"/> as waiting for the batch's fsync of the log. Runs on the writing thread.
    /// </summary>
    private int SaveWithoutSync(DbContext context, WorkItem item)
    {
        var database = context.Database;
        database.OpenConnection();
        try
        {
            var connection = (SqliteConnection)database.GetDbConnection();
            var handle = connection.Handle!;

            // Inside the caller's transaction the commit is the caller's, not this save's; without
            // WAL there is no log to fsync later. Asked on every save: while this connection is open
            // no other can take the database out of WAL mode, so the answer holds until the commit.
            if (database.CurrentTransaction is not null || !IsWriteAheadLog(handle))
            {
                return context.SaveChanges();
            }

            Execute(handle, "PRAGMA synchronous=NORMAL");
            try
            {
                var saved = context.SaveChanges();
                if (saved > 0)
                {
                    log ??= connection.DataSource + "-wal";
                    item.AwaitsSync = true;
                }

                return saved;
            }
            finally
            {
                Execute(handle, "PRAGMA synchronous=FULL");
            }
        }
        finally
        {
            database.CloseConnection();
        }
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
    /// fsyncs the write-ahead log through a descriptor of its own. Only the log: SQLite holds no
    /// POSIX locks on it (they are on the database and the shared-memory file), so closing this
    /// descriptor releases none of SQLite's. A log that no longer exists was checkpointed into the
    /// database and removed by the last connection's close, which syncs the database first.
    /// </summary>
    private void Sync(string log)
    {
        try
        {
            using var file = new FileStream(log, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            file.Flush(flushToDisk: true);
            Interlocked.Increment(ref syncs);
        }
        catch (FileNotFoundException)
        {
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
