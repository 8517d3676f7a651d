using System.Globalization;
using IdentityProvider.Audit;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Audit;

/// <summary><c>audit list</c> in process: one tab-separated line per event, newest first, time in ISO 8601 UTC.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AuditCommandsTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task List_ByTenantSinceAndKind_PrintsOneTabSeparatedLinePerEvent()
    {
        var (tenantId, name) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddDays(-2), subject: "old@example.test");
        var failed = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddHours(-3), subject: "taro@example.test", success: false);
        var succeeded = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddHours(-1), subject: "taro@example.test");
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.AccountLocked, now.AddHours(-1), subject: "taro@example.test");

        var result = await OperatorCli.RunAsync(Host, "audit", "list", "--tenant", name, "--since", Iso(now.AddDays(-1)), "--kind", "SignIn");

        var fields = result.OutputLines.Select(l => l.Split('\t')).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Error, Is.Empty);
            Assert.That(fields.Select(f => f.Length), Is.All.EqualTo(9));
            Assert.That(fields.Select(f => f[1]), Is.EqualTo(new[] { Id(succeeded), Id(failed) }), "newest first");
            Assert.That(fields[1], Is.EqualTo(new[]
            {
                Iso(now.AddHours(-3)), Id(failed), "SignIn", "Failure", name, "taro@example.test", "WrongPassword", "192.0.2.7", "test agent",
            }), "a tab inside the user agent does not split the line");
            Assert.That(fields[0][6], Is.EqualTo("-"), "no reason");
        });
    }

    [Test]
    public async Task List_WithLimitAndBefore_PagesAndTellsTheNextCursorOnStandardError()
    {
        var (tenantId, name) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddMinutes(-5 + i)));
        }

        var first = await OperatorCli.RunAsync(Host, "audit", "list", "--tenant", name, "--kind", "SignIn", "--limit", "2");
        var second = await OperatorCli.RunAsync(Host, "audit", "list", "--tenant", name, "--kind", "SignIn", "--limit", "2", "--before", Id(ids[1]));

        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.ToString());
            Assert.That(first.OutputLines.Select(l => l.Split('\t')[1]), Is.EqualTo(new[] { Id(ids[2]), Id(ids[1]) }));
            Assert.That(first.Error.Trim(), Is.EqualTo($"more events: add --before {ids[1]}"));
            Assert.That(second.ExitCode, Is.Zero, second.ToString());
            Assert.That(second.OutputLines.Select(l => l.Split('\t')[1]), Is.EqualTo(new[] { Id(ids[0]) }));
            Assert.That(second.Error, Is.Empty, "the last page");
        });
    }

    [Test]
    public async Task List_RelativeSince_CountsBackFromNow()
    {
        var (tenantId, name) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddDays(-8));
        var recent = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddDays(-6));

        var result = await OperatorCli.RunAsync(Host, "audit", "list", "--tenant", tenantId.ToString(), "--since", "7d", "--kind", "SignIn");

        Assert.That(result.OutputLines.Select(l => l.Split('\t')[1]), Is.EqualTo(new[] { Id(recent) }), result.ToString());
    }

    [TestCase("--since", "yesterday")]
    [TestCase("--until", "2026-11-01 09:00")]
    [TestCase("--kind", "Nonsense")]
    [TestCase("--outcome", "Maybe")]
    [TestCase("--limit", "many")]
    public async Task List_MalformedArgument_Exits1WithOneLine(string option, string value)
    {
        var result = await OperatorCli.RunAsync(Host, "audit", "list", option, value);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
            Assert.That(result.Output, Is.Empty);
        });
    }

    [TestCase("--tenant", "no-such-tenant", "No tenant")]
    [TestCase("--limit", "5000", "limit")]
    public async Task List_RejectedRequest_Exits2WithTheReason(string option, string value, string reason)
    {
        var result = await OperatorCli.RunAsync(Host, "audit", "list", option, value);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.Error, Does.StartWith("error: ").And.Contain(reason));
        });
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
