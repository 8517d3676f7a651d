using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityProvider.Persistence;

/// <summary>
/// Sets SQLite's own busy timeout on every connection the server opens. SQLite admits one writer at
/// a time; without it a write that meets another writer's lock (a save, <c>ExecuteUpdate</c>,
/// <c>ExecuteDelete</c>, an explicit transaction) returns SQLITE_BUSY at once and
/// Microsoft.Data.Sqlite retries it after a fixed sleep of its own, blocking its thread far longer
/// than the lock is held. SQLite's busy handler retries after short, growing waits instead.
/// Past <see cref="Timeout"/> the library's own retry loop takes over until the command timeout.
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Sets the busy timeout on an open SQLite connection; also used for connections opened outside EF Core.</summary>
    public static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            SQLitePCL.raw.sqlite3_busy_timeout(handle, (int)Timeout.TotalMilliseconds);
        }
    }
}
