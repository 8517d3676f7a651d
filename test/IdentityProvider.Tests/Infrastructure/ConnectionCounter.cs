using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// Counts the test server's database connection openings and closings, the transactions it begins
/// and the commands it runs, while serving one request path. An interceptor rather than EF Core's diagnostic events: EF stops
/// raising those for a second after an opening nobody listened to, interceptors it always calls.
/// </summary>
public sealed class ConnectionCounter(IHttpContextAccessor http) : DbConnectionInterceptor, IDbCommandInterceptor, IDbTransactionInterceptor
{
    private readonly ConcurrentQueue<string> commands = new();
    private string? path;
    private int opened;
    private int closed;
    private int transactions;

    public int Opened => Volatile.Read(ref opened);

    public int Closed => Volatile.Read(ref closed);

    /// <summary>Transactions begun, EF Core's own around a <c>SaveChanges</c> included.</summary>
    public int Transactions => Volatile.Read(ref transactions);

    /// <summary>The text of each command run, on one line, in order (a batch is one command).</summary>
    public IReadOnlyList<string> Commands => [.. commands];

    /// <summary>Counts from now on, for requests to <paramref name="requestPath"/> only.</summary>
    public void Watch(string requestPath)
    {
        Interlocked.Exchange(ref opened, 0);
        Interlocked.Exchange(ref closed, 0);
        Interlocked.Exchange(ref transactions, 0);
        commands.Clear();
        Volatile.Write(ref path, requestPath);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Count(ref opened);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Count(ref opened);
        return Task.CompletedTask;
    }

    public override void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Count(ref closed);

    public override Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Count(ref closed);
        return Task.CompletedTask;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Count(ref transactions);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        Count(ref transactions);
        return new(result);
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Record(command, result);

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        new(Record(command, result));

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Record(command, result);

    public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        new(Record(command, result));

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Record(command, result);

    public ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        new(Record(command, result));

    private T Record<T>(DbCommand command, T result)
    {
        if (Watched())
        {
            commands.Enqueue(string.Join(' ', command.CommandText.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        return result;
    }

    private void Count(ref int counter)
    {
        if (Watched())
        {
            Interlocked.Increment(ref counter);
        }
    }

    private bool Watched() => Volatile.Read(ref path) is { } watched && http.HttpContext?.Request.Path == watched;
}
