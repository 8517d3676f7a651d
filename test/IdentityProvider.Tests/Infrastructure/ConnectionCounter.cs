using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// Counts the test server's database connection openings and closings made while serving one
/// request path. An interceptor rather than EF Core's diagnostic events: EF stops raising those for
/// a second after an opening nobody listened to, interceptors it always calls.
/// </summary>
public sealed class ConnectionCounter(IHttpContextAccessor http) : DbConnectionInterceptor
{
    private string? path;
    private int opened;
    private int closed;

    public int Opened => Volatile.Read(ref opened);

    public int Closed => Volatile.Read(ref closed);

    /// <summary>Counts from now on, for requests to <paramref name="requestPath"/> only.</summary>
    public void Watch(string requestPath)
    {
        Interlocked.Exchange(ref opened, 0);
        Interlocked.Exchange(ref closed, 0);
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

    private void Count(ref int counter)
    {
        if (Volatile.Read(ref path) is { } watched && http.HttpContext?.Request.Path == watched)
        {
            Interlocked.Increment(ref counter);
        }
    }
}
