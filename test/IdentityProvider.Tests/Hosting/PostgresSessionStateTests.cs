using System.Net;
using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// Pooled PostgreSQL connections are not reset here (<c>No Reset On Close</c>, DatabaseExtensions).
/// That is safe only while nothing the server does leaves session state on a connection: after the
/// flows that touch the database, every pooled connection must look like a fresh one.
/// </summary>
[TestFixture(DatabaseKind.PostgreSql)]
public sealed class PostgresSessionStateTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    /// <summary>What a session can keep beyond its transactions, one row per item.</summary>
    private const string SessionState = """
        SELECT 'setting ' || name || '=' || setting FROM pg_settings WHERE source = 'session'
        UNION ALL SELECT 'advisory lock ' || objid FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
        UNION ALL SELECT 'listening ' || channel FROM pg_listening_channels() AS channel
        UNION ALL SELECT 'cursor ' || name FROM pg_cursors WHERE name <> ''
        UNION ALL SELECT 'temporary table ' || relname FROM pg_class WHERE relnamespace = pg_my_temp_schema()
        """;

    [Test]
    public async Task PooledConnections_AfterTheFlows_CarryNoSessionState()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var login = await LoginPageAsync(browser, clientId);
        using (var wrong = await browser.LoginAsync(login.PathAndQuery, user.Email, "not-the-password-1"))
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a counted failure, in its own transaction");
        }

        var tokens = await SignInAsync(browser, clientId, user);
        var (status, refreshed) = await browser.TokenAsync(Refresh(clientId, tokens.GetProperty("refresh_token").GetString()!));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refreshed.ToString());
        using (var userInfo = await UserInfoAsync(browser.Http, refreshed.GetProperty("access_token").GetString()!))
        {
            Assert.That(userInfo.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await Host.InScopeAsync(services => services.GetRequiredService<TokenPruner>().PruneOnceAsync());
        var connectionString = await Host.InScopeAsync(services =>
            Task.FromResult(services.GetRequiredService<IdpDbContext>().Database.GetConnectionString()!));
        Assume.That(new NpgsqlConnectionStringBuilder(connectionString).NoResetOnClose, Is.True, "the setting this test guards");

        var fresh = await StateAsync(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString(), 1);
        var pooled = await StateAsync(connectionString, 8);

        Assert.Multiple(() =>
        {
            for (var i = 0; i < pooled.Count; i++)
            {
                Assert.That(pooled[i], Is.EquivalentTo(fresh[0]), $"pooled connection {i}");
            }
        });
    }

    /// <summary>
    /// Takes <paramref name="count"/> connections at once — more than the flows above left idle in
    /// the pool, so each of those is among them — and reads each one's session state.
    /// </summary>
    private static async Task<List<List<string>>> StateAsync(string connectionString, int count)
    {
        var connections = new List<NpgsqlConnection>();
        try
        {
            var states = new List<List<string>>();
            for (var i = 0; i < count; i++)
            {
                var connection = new NpgsqlConnection(connectionString);
                connections.Add(connection);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(SessionState, connection);
                await using var reader = await command.ExecuteReaderAsync();
                var state = new List<string>();
                while (await reader.ReadAsync())
                {
                    state.Add(reader.GetString(0));
                }

                states.Add(state);
            }

            return states;
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
