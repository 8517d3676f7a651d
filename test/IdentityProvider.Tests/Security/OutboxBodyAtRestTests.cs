using IdentityProvider.Data;
using IdentityProvider.Mail;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmtpServer.Protocol;
using static IdentityProvider.Tests.Mail.OutboxTesting;

namespace IdentityProvider.Tests.Security;

/// <summary>
/// A queued mail's body holds a live link (its token stored nowhere else in clear): the outbox
/// keeps it protected while the mail waits, and blank once it is sent or refused for good; the
/// mail that leaves is unchanged.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class OutboxBodyAtRestTests(DatabaseKind kind)
{
    [Test]
    public async Task Enqueue_StoresTheBodiesProtected_WithoutTheLink()
    {
        await using var host = await IdpTestHost.StartAsync(kind);
        await EnqueueAsync(host, 1);

        var row = (await RowsAsync(host)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(row.TextBody, Does.StartWith(MailBodyProtection.Marker));
            Assert.That(row.HtmlBody, Does.StartWith(MailBodyProtection.Marker));
            Assert.That(row.TextBody + row.HtmlBody, Does.Not.Contain("TEST-0").And.Not.Contain("idp.example.jp"));
            Assert.That(Unprotect(host, row.TextBody), Does.Contain("https://idp.example.jp/reset?ticket=TEST-0"));
        }
    }

    [Test]
    public async Task Drain_SendsTheLinkAndBlanksTheBodies()
    {
        await using var host = await IdpTestHost.StartAsync(kind);
        var queued = await EnqueueAsync(host, 1);

        var result = await DrainAsync(host);

        var row = (await RowsAsync(host)).Single();
        var sent = await QueuedMail.SentAsync(PickupDirectory(host), queued[0]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new MailDrainResult(1, 0, 0)));
            Assert.That(sent.TextBody, Does.Contain("https://idp.example.jp/reset?ticket=TEST-0"));
            Assert.That(sent.HtmlBody, Does.Contain("https://idp.example.jp/reset?ticket=TEST-0"));
            Assert.That(row.SentAt, Is.Not.Null);
            Assert.That(row.TextBody, Is.Empty);
            Assert.That(row.HtmlBody, Is.Null);
        }
    }

    [Test]
    public async Task Drain_RefusedForGood_BlanksTheBodies()
    {
        await using var smtp = await TestSmtpServer.StartAsync(to => new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.1.1 No such user"));
        await using var host = await IdpTestHost.StartAsync(kind, SmtpSettings(smtp.Port));
        await EnqueueAsync(host, 1, "nobody@example.jp");

        var result = await DrainAsync(host);

        var row = (await RowsAsync(host)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new MailDrainResult(0, 0, 1)));
            Assert.That(row.FailedAt, Is.Not.Null);
            Assert.That(row.TextBody, Is.Empty);
            Assert.That(row.HtmlBody, Is.Null);
        }
    }

    [Test]
    public async Task Drain_BodyQueuedInClearBeforeTheProtection_IsSentAsItIs()
    {
        await using var host = await IdpTestHost.StartAsync(kind);
        var id = Guid.NewGuid();
        await InsertAsync(host, id, "旧バージョンが平文で残したメール https://idp.example.jp/unlock?token=OLD-1", null);

        var result = await DrainAsync(host);

        var sent = await QueuedMail.SentAsync(PickupDirectory(host), $"{id:N}@idp.mail");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new MailDrainResult(1, 0, 0)));
            Assert.That(sent.TextBody, Does.Contain("https://idp.example.jp/unlock?token=OLD-1"));
            Assert.That((await RowsAsync(host)).Single().TextBody, Is.Empty);
        }
    }

    [Test]
    public async Task Drain_BodyThisNodeCannotDecrypt_IsKeptForRetryNotLost()
    {
        await using var host = await IdpTestHost.StartAsync(kind);
        var foreign = MailBodyProtection.Marker + "CfDJ8-protected-with-a-key-this-node-does-not-have";
        await InsertAsync(host, Guid.NewGuid(), foreign, null);

        var result = await DrainAsync(host);

        var row = (await RowsAsync(host)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new MailDrainResult(0, 1, 0)));
            Assert.That(row.FailedAt, Is.Null);
            Assert.That(row.SentAt, Is.Null);
            Assert.That(row.TextBody, Is.EqualTo(foreign), "kept for a node that can decrypt it");
            Assert.That(row.LastError, Does.StartWith("Configuration"));
        }
    }

    private static string PickupDirectory(IdpTestHost host) => host.Services.GetRequiredService<IOptions<MailOptions>>().Value.PickupDirectory;

    private static string Unprotect(IdpTestHost host, string stored) => host.Services.GetRequiredService<MailBodyProtection>().Unprotect(stored);

    private static Task InsertAsync(IdpTestHost host, Guid id, string textBody, string? htmlBody) =>
        host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var now = host.Clock.GetUtcNow();
            db.MailOutbox.Add(new MailOutboxMessage
            {
                Id = id,
                Template = nameof(MailTemplate.AccountLocked),
                Recipient = "taro.yamada@example.jp",
                Subject = "【どこでもBOX】アカウントロックのお知らせ",
                TextBody = textBody,
                HtmlBody = htmlBody,
                MessageId = $"{id:N}@idp.mail",
                CreatedAt = now,
                NextAttemptAt = now,
            });
            return await db.SaveChangesAsync();
        });
}
