using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IdentityProvider.Tests.Hosting;

/// <summary>On PostgreSQL the server prepares its repeated statements unless the connection string decides.</summary>
public sealed class PostgresAutoPrepareTests
{
    [Test]
    public async Task PostgreSql_WithoutSetting_PreparesStatementsAutomatically()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.PostgreSql);

        Assert.That(await MaxAutoPrepareAsync(host), Is.EqualTo(64));
    }

    [Test]
    public async Task PostgreSql_ConnectionStringSetting_Wins()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.PostgreSql);
        await using var host = IdpTestHost.StartNode(database, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = database.ConnectionString + ";Max Auto Prepare=0",
        });

        Assert.That(await MaxAutoPrepareAsync(host), Is.Zero);
    }

    private static Task<int> MaxAutoPrepareAsync(IdpTestHost host) => host.InScopeAsync(services =>
        Task.FromResult(new NpgsqlConnectionStringBuilder(services.GetRequiredService<IdpDbContext>().Database.GetConnectionString()).MaxAutoPrepare));
}
