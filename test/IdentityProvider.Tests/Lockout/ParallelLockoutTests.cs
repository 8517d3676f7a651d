using IdentityProvider.Audit;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace IdentityProvider.Tests.Lockout;

/// <summary>
/// under a burst: wrong passwords posted at once to two nodes on one database. A counter read,
/// incremented and written back in memory lets such a burst pass the limit (the bug class of
/// several IdPs); the conditional UPDATEs must give exactly ten counts and exactly one lock.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ParallelLockoutTests(DatabaseKind kind)
{
    private const int AttemptsPerNode = 12;

    [Test]
    public async Task TwentyFourParallelWrongPasswords_OnTwoNodes_CountToTenAndLockOnce()
    {
        await using var nodeA = await IdpTestHost.StartAsync(kind);
        await using var nodeB = IdpTestHost.StartNode(nodeA.Database);
        var user = await nodeA.CreateUserAsync();
        await WarmConnectionPoolAsync(nodeA);

        // Every browser first loads the form (antiforgery token), then all post at once.
        var browsers = Enumerable.Range(0, AttemptsPerNode).SelectMany(_ => new[] { nodeA.CreateBrowser(), nodeB.CreateBrowser() }).ToList();
        var forms = await Task.WhenAll(browsers.Select(async b => await (await b.GetAsync("/Account/Login")).Content.ReadAsStringAsync()));
        var responses = await Task.WhenAll(browsers.Select((b, i) => b.SubmitFormAsync("/Account/Login", forms[i], new Dictionary<string, string>
        {
            ["Input.Email"] = user.Email,
            ["Input.Password"] = "Wrong-Password-" + i,
        })));
        var answers = await Task.WhenAll(responses.Select(LoginAnswer.ReadAsync));

        var record = await UserRecords.FindAsync(nodeA, user.Email);
        var locks = await UserRecords.AuditAsync(nodeA, user.Email, AuditKind.AccountLocked);
        var mails = await QueuedMail.ForAsync(nodeA, user.Email, "AccountLocked");
        Assert.Multiple(() =>
        {
            Assert.That(record.AccessFailedCount, Is.EqualTo(10), "never past ten");
            Assert.That(record.LockedAt, Is.Not.Null);
            Assert.That(locks, Has.Count.EqualTo(1), "one lock");
            Assert.That(mails, Has.Count.EqualTo(1), "one unlock mail");
            Assert.That(answers.Count(a => a.Kind == LoginAnswer.Invalid), Is.EqualTo(9), "nine counted failures answered 'wrong'");
            Assert.That(answers.Count(a => a.Kind == LoginAnswer.Locked), Is.EqualTo(2 * AttemptsPerNode - 9), "the tenth and all after it answered 'locked'");
        });

        foreach (var response in responses)
        {
            response.Dispose();
        }

        browsers.ForEach(b => b.Dispose());
    }

    [Test]
    public async Task TwentyFourParallelFailures_ForAnUnknownAddress_OnTwoNodes_AnswerExactlyLikeAnAccount()
    {
        await using var nodeA = await IdpTestHost.StartAsync(kind);
        await using var nodeB = IdpTestHost.StartNode(nodeA.Database);
        var email = $"nobody-{Guid.NewGuid():N}@example.test";
        await WarmConnectionPoolAsync(nodeA);

        var browsers = Enumerable.Range(0, AttemptsPerNode).SelectMany(_ => new[] { nodeA.CreateBrowser(), nodeB.CreateBrowser() }).ToList();
        var forms = await Task.WhenAll(browsers.Select(async b => await (await b.GetAsync("/Account/Login")).Content.ReadAsStringAsync()));
        var responses = await Task.WhenAll(browsers.Select((b, i) => b.SubmitFormAsync("/Account/Login", forms[i], new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Wrong-Password-" + i,
        })));
        var answers = await Task.WhenAll(responses.Select(LoginAnswer.ReadAsync));

        Assert.Multiple(() =>
        {
            Assert.That(answers.Count(a => a.Kind == LoginAnswer.Invalid), Is.EqualTo(9));
            Assert.That(answers.Count(a => a.Kind == LoginAnswer.Locked), Is.EqualTo(2 * AttemptsPerNode - 9));
        });

        foreach (var response in responses)
        {
            response.Dispose();
        }

        browsers.ForEach(b => b.Dispose());
    }

    /// <summary>
    /// Opens the burst's PostgreSQL connections one after another beforehand (they stay pooled), so
    /// that the burst measures locking, not how fast a busy machine forks 24 backends at once.
    /// </summary>
    private static async Task WarmConnectionPoolAsync(IdpTestHost host)
    {
        if (host.Database.Kind != DatabaseKind.PostgreSql)
        {
            return;
        }

        // The pool the server uses: Npgsql keys pools by the whole connection string, and the
        // server's has Max Auto Prepare added.
        var connectionString = await host.InScopeAsync(services =>
            Task.FromResult(services.GetRequiredService<IdentityProvider.Data.IdpDbContext>().Database.GetConnectionString()!));
        var connections = new List<NpgsqlConnection>();
        for (var i = 0; i < 2 * AttemptsPerNode + 4; i++)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            connections.Add(connection);
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
    }
}
