using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityProvider.Persistence;

/// <summary>
/// Lets one <c>SaveChanges</c> at a time of this process write to the SQLite file. SQLite admits one
/// writer; a second one gets SQLITE_BUSY, on which Microsoft.Data.Sqlite blocks its thread in
/// <c>Thread.Sleep(150)</c> and retries, so concurrent writers would sleep on thread-pool threads
/// long after the file is free. Waiting here instead hands the file over as soon as the previous
/// writer commits (the token and authorization requests' writes come from <see cref="SqliteWriter"/>'s
/// thread, with the synchronous <c>SaveChanges</c>, and wait here like any other). A <c>SaveChanges</c>
/// inside an explicit transaction
/// is not gated: that transaction may already hold SQLite's write lock, and waiting for the gate
/// while holding it would stall the gate's owner. Other processes (operator commands) still meet
/// SQLite's own locking. WAL mode (set at migration) keeps readers out of the writer's way. A save
/// that an earlier interceptor suppressed (a token request's deferred writes) writes nothing and
/// takes no turn; for this the gate must be registered after that interceptor.
/// </summary>
public sealed partial class SqliteWriteGate(ILogger<SqliteWriteGate> logger) : SaveChangesInterceptor
{
    /// <summary>Longer than a write can take; past it something leaked the gate, and writing ungated beats stalling.</summary>
    public static readonly TimeSpan MaximumWait = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ConditionalWeakTable<DbContext, object> holders = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (!result.HasResult && ShouldGate(eventData.Context) is { } context)
        {
            Hold(context, gate.Wait(MaximumWait));
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (!result.HasResult && ShouldGate(eventData.Context) is { } context)
        {
            Hold(context, await gate.WaitAsync(MaximumWait, cancellationToken));
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Release(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return new(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Release(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    public override void SaveChangesCanceled(DbContextEventData eventData) => Release(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A save that lost an optimistic-concurrency check (two requests redeeming one refresh token)
    /// ends here, not in <c>SaveChangesFailed</c>, which EF Core does not call for it; the
    /// transaction is already rolled back. Without this release the turn would stay taken until the
    /// pooled context's next save, and every other write would wait <see cref="MaximumWait"/>.
    /// </summary>
    public override InterceptionResult ThrowingConcurrencyException(ConcurrencyExceptionEventData eventData, InterceptionResult result)
    {
        Release(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Release(eventData.Context);
        return new(result);
    }

    /// <summary>
    /// Runs a write of <paramref name="context"/> that is not a <c>SaveChanges</c> (a bulk
    /// <c>ExecuteDelete</c>) in turn with the saves, so that it queues with them instead of meeting
    /// them in SQLite's busy handler, which lets a writer that keeps the file busy starve the others.
    /// On another provider, or inside an explicit transaction (as for saves), it runs at once.
    /// </summary>
    public async Task<T> WriteAsync<T>(DbContext context, Func<CancellationToken, Task<T>> write, CancellationToken cancellationToken = default)
    {
        if (context.Database.IsSqlite() && ShouldGate(context) is not null)
        {
            Hold(context, await gate.WaitAsync(MaximumWait, cancellationToken));
        }

        try
        {
            return await write(cancellationToken);
        }
        finally
        {
            Release(context);
        }
    }

    private static DbContext? ShouldGate(DbContext? context) =>
        context is not null && context.Database.CurrentTransaction is null ? context : null;

    private void Hold(DbContext context, bool entered)
    {
        if (entered)
        {
            holders.AddOrUpdate(context, context);
        }
        else
        {
            LogGateTimeout(logger, MaximumWait.TotalSeconds);
        }
    }

    /// <summary>
    /// Most saves of a token request are deferred and never held the gate: <c>TryGetValue</c> reads
    /// without the table's lock, which <c>Remove</c> takes, so those saves do not contend for it.
    /// </summary>
    private void Release(DbContext? context)
    {
        if (context is not null && holders.TryGetValue(context, out _) && holders.Remove(context))
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waited {Seconds} s for the SQLite write gate; writing without it.")]
    private static partial void LogGateTimeout(ILogger logger, double seconds);
}
