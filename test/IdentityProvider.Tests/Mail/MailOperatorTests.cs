using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;
using SmtpServer.Protocol;
using static IdentityProvider.Tests.Mail.OutboxTesting;

namespace IdentityProvider.Tests.Mail;

/// <summary>
/// Operators find the mail a relay refused (SPEC §11): <c>GET /admin/api/mail</c> and
/// <c>mail list</c> show status, recipient and reason, never the body with its link.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class MailOperatorTests(DatabaseKind kind)
{
    private const string Refused = "nobody@example.jp";
    private const string Delivered = "taro.yamada@example.jp";

    private TestSmtpServer smtp = null!;
    private IdpTestHost host = null!;

    [SetUp]
    public async Task StartAsync()
    {
        smtp = await TestSmtpServer.StartAsync(to => to.User == "nobody"
            ? new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.1.1 No such user")
            : null);
        host = await IdpTestHost.StartAsync(kind, SmtpSettings(smtp.Port));
        await EnqueueAsync(host, 1, Refused);
        await EnqueueAsync(host, 1, Delivered);
        await DrainAsync(host);
        await EnqueueAsync(host, 1, "hanako@example.jp");
    }

    [TearDown]
    public async Task StopAsync()
    {
        // The host is null when the set-up was skipped (a database that cannot run here).
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        await smtp.DisposeAsync();
    }

    [TestCase("failed", Refused, "Failed")]
    [TestCase("sent", Delivered, "Sent")]
    [TestCase("pending", "hanako@example.jp", "Pending")]
    public async Task AdminApi_ByStatus_ListsOnlyThatStatusWithoutBodies(string status, string recipient, string shown)
    {
        using var admin = await AdminApiSession.StartAsync(host);

        using var response = await admin.Http.GetAsync($"/admin/api/mail?status={status}");

        var body = await response.Content.ReadAsStringAsync();
        var mails = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(mails.Select(m => m.GetProperty("recipient").GetString()), Is.EqualTo(new[] { recipient }));
            Assert.That(mails.Select(m => m.GetProperty("status").GetString()), Is.EqualTo(new[] { shown }));
            Assert.That(body, Does.Not.Contain("ticket="), "the single-use link stays out of operator views");
        }
    }

    [Test]
    public async Task AdminApi_Failed_ShowsTheRelaysReason()
    {
        using var admin = await AdminApiSession.StartAsync(host);

        using var response = await admin.Http.GetAsync("/admin/api/mail?status=failed");

        var mail = (await AdminApiSession.JsonAsync(response))[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(mail.GetProperty("template").GetString(), Is.EqualTo("PasswordReset"));
            Assert.That(mail.GetProperty("attempts").GetInt32(), Is.EqualTo(1));
            Assert.That(mail.GetProperty("failedAt").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(mail.GetProperty("lastError").GetString(), Does.Contain("550").And.Contain("No such user"));
        }
    }

    [TestCase("status=bounced", "failed, pending, sent")]
    [TestCase("limit=0", "limit: must be between 1 and 1000")]
    public async Task AdminApi_BadQuery_AnswersProblemDetails(string query, string detail)
    {
        using var admin = await AdminApiSession.StartAsync(host);

        using var response = await admin.Http.GetAsync($"/admin/api/mail?{query}");

        var body = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), Does.Contain(detail));
        }
    }

    [Test]
    public async Task Cli_MailListFailed_PrintsTheRefusedMailAndReason()
    {
        var result = await OperatorCli.RunAsync(host, "mail", "list", "--status", "failed");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.OutputLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.Output, Does.Contain($"\tFailed\tPasswordReset\t{Refused}\t").And.Contain("Permanent (SMTP 550)"));
        }
    }

    [Test]
    public async Task Cli_MailListWithoutStatus_PrintsEveryMail()
    {
        var result = await OperatorCli.RunAsync(host, "mail", "list");

        Assert.That(result.OutputLines, Has.Length.EqualTo(3), result.ToString());
    }

    [Test]
    public async Task Cli_MailListUnknownStatus_ExitsWithUsageError()
    {
        var result = await OperatorCli.RunAsync(host, "mail", "list", "--status", "bounced");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.Error, Does.Contain("bounced"));
        }
    }
}
