using IdentityProvider.Data;
using IdentityProvider.Persistence;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Persistence;

/// <summary>
/// The server's SQLite connections wait in SQLite's busy handler (short back-off) for another
/// writer's lock, instead of failing with SQLITE_BUSY into Microsoft.Data.Sqlite's 150 ms sleep.
/// </summary>
public sealed class SqliteBusyTimeoutTests
{
    [Test]
    public async Task Sqlite_ServerConnections_HaveTheBusyTimeout()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite);

        var timeout = await host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            await db.Database.OpenConnectionAsync();
            try
            {
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA busy_timeout";
                return Convert.ToInt64(await command.ExecuteScalarAsync());
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

        Assert.That(timeout, Is.EqualTo((long)SqliteBusyTimeout.Timeout.TotalMilliseconds));
    }
}
