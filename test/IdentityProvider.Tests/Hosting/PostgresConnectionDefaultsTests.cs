using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// On PostgreSQL the server prepares its repeated statements and does not reset pooled connections,
/// unless the connection string decides (<see cref="PostgresSessionStateTests"/> checks that no
/// session state is left behind to reset).
/// </summary>
public sealed class PostgresConnectionDefaultsTests
{
    [Test]
    public async Task PostgreSql_WithoutSettings_PreparesStatements_AndDoesNotResetPooledConnections()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.PostgreSql);

        var settings = await SettingsAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(settings.MaxAutoPrepare, Is.EqualTo(64));
            Assert.That(settings.NoResetOnClose, Is.True);
        });
    }

    [Test]
    public async Task PostgreSql_ConnectionStringSettings_Win()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.PostgreSql);
        await using var host = IdpTestHost.StartNode(database, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = database.ConnectionString + ";Max Auto Prepare=0;No Reset On Close=false",
        });

        var settings = await SettingsAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(settings.MaxAutoPrepare, Is.Zero);
            Assert.That(settings.NoResetOnClose, Is.False);
        });
    }

    private static Task<NpgsqlConnectionStringBuilder> SettingsAsync(IdpTestHost host) => host.InScopeAsync(services =>
        Task.FromResult(new NpgsqlConnectionStringBuilder(services.GetRequiredService<IdpDbContext>().Database.GetConnectionString())));
}
