using System.Collections.Concurrent;

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
/// Writes queued when the host stops are still run before the thread ends (<see cref="Dispose"/>).
/// </para>
/// </summary>
public sealed class SqliteWriter : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for queued writes to finish.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly BlockingCollection<WorkItem> queue = new();
    private readonly Thread thread;
    private long completed;

    public SqliteWriter()
    {
        thread = new Thread(Run) { IsBackground = true, Name = "SQLite writer" };
        thread.Start();
    }

    /// <summary>The managed id of the writing thread.</summary>
    public int ThreadId => thread.ManagedThreadId;

    /// <summary>Writes run so far, failed ones included.</summary>
    public long Completed => Interlocked.Read(ref completed);

    /// <summary>Queues <paramref name="write"/>; the task ends with its result or its exception.</summary>
    /// <exception cref="ObjectDisposedException">The writer has been stopped.</exception>
    public Task<T> RunAsync<T>(Func<T> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var item = new WorkItem<T>(this, write, ExecutionContext.Capture());
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

    public void Dispose()
    {
        queue.CompleteAdding();
        if (Thread.CurrentThread != thread)
        {
            thread.Join(DrainTimeout);
        }
    }

    private void Run()
    {
        foreach (var item in queue.GetConsumingEnumerable())
        {
            item.Execute();
        }
    }

    private abstract class WorkItem
    {
        /// <summary>Runs the write, counts it in <see cref="Completed"/>, then completes its task (so an awaiting caller sees the count).</summary>
        public abstract void Execute();
    }

    private sealed class WorkItem<T>(SqliteWriter writer, Func<T> write, ExecutionContext? context) : WorkItem
    {
        // Continuations run on the thread pool, never on the writer's thread.
        private readonly TaskCompletionSource<T> result = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

        private void Invoke()
        {
            T value;
            try
            {
                value = write();
            }
            catch (Exception exception)
            {
                Interlocked.Increment(ref writer.completed);
                result.SetException(exception);
                return;
            }

            Interlocked.Increment(ref writer.completed);
            result.SetResult(value);
        }
    }
}
