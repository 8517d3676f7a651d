using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SmtpServer.Protocol;
using static IdentityProvider.Tests.Mail.OutboxTesting;

namespace IdentityProvider.Tests.Mail;

/// <summary>
/// The outbox drained through a real SMTP server (SPEC §12: an SMTP outage loses no mail): each
/// mail arrives once, with the Message-Id it was queued with, across outages and restarts.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class MailOutboxTests(DatabaseKind kind)
{
    [Test]
    public async Task Drain_QueuedMail_ArrivesThroughSmtpWithItsMessageIdAndIsMarkedSent()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await IdpTestHost.StartAsync(kind, SmtpSettings(smtp.Port));
        var queued = await EnqueueAsync(host, 3);

        var result = await DrainAsync(host);

        var rows = await RowsAsync(host);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(3, 0, 0)));
            Assert.That(MessageIds(smtp), Is.EquivalentTo(queued));
            Assert.That(smtp.Messages[0].Subject, Is.EqualTo("【どこでもBOX】パスワードリセット"));
            Assert.That(smtp.Messages[0].TextBody, Does.Contain("https://idp.example.jp/reset?ticket=TEST-"));
            Assert.That(rows.Select(r => r.SentAt), Has.All.EqualTo(host.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)), "stored to the millisecond or better");
            Assert.That(rows.Select(r => r.Attempts), Has.All.EqualTo(1));
            Assert.That(await DrainAsync(host), Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(0, 0, 0)), "nothing is sent twice");
        }
    }

    [Test]
    public async Task Drain_SmtpServerStopsAfterFirstMessage_RestArriveExactlyOnceWhenItIsBack()
    {
        var first = await TestSmtpServer.StartAsync(onStored: (server, _) => server.StopAccepting());
        await using var host = await IdpTestHost.StartAsync(kind, SmtpSettings(first.Port));
        var queued = await EnqueueAsync(host, 5);

        var duringOutage = await DrainAsync(host);
        await first.DisposeAsync();
        var beforeDue = await DrainAsync(host);
        await using var second = await TestSmtpServer.StartAsync(port: first.Port);
        host.Clock.Advance(MaxRetryDelay);
        var afterOutage = await DrainAsync(host);

        var rows = await RowsAsync(host);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(duringOutage, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(1, 4, 0)));
            Assert.That(beforeDue, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(0, 0, 0)), "retries wait for their back-off");
            Assert.That(afterOutage, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(4, 0, 0)));
            Assert.That(MessageIds(first, second), Is.EquivalentTo(queued), "every mail exactly once");
            Assert.That(rows.Count(r => r.Attempts == 2 && r.LastError!.StartsWith("Transient", StringComparison.Ordinal)), Is.EqualTo(4));
            Assert.That(rows.Select(r => r.SentAt), Has.None.Null);
        }
    }

    [Test]
    public async Task Drain_AfterProcessRestart_SendsWhatTheFirstProcessQueuedAndRetried()
    {
        var port = await DownPortAsync();
        await using var database = await TestDatabase.CreateAsync(kind);
        var queued = new List<string>();
        await using (var before = IdpTestHost.StartNode(database, SmtpSettings(port)))
        {
            queued.AddRange(await EnqueueAsync(before, 2));
            Assert.That(await DrainAsync(before), Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(0, 2, 0)), "the relay is down");
            queued.AddRange(await EnqueueAsync(before, 1));
        }

        await using var smtp = await TestSmtpServer.StartAsync(port: port);
        await using var after = IdpTestHost.StartNode(database, SmtpSettings(port));
        after.Clock.Advance(MaxRetryDelay);
        var result = await DrainAsync(after);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(3, 0, 0)));
            Assert.That(MessageIds(smtp), Is.EquivalentTo(queued));
        }
    }

    [Test]
    public async Task Drain_LeaseOfACrashedNode_BlocksOtherNodesUntilItExpires()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var host = await IdpTestHost.StartAsync(kind, SmtpSettings(smtp.Port));
        var queued = await EnqueueAsync(host, 1);
        // A node claimed it and died before recording the outcome.
        await host.InScopeAsync(services => services.GetRequiredService<IdentityProvider.Data.IdpDbContext>().MailOutbox
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedUntil, host.Clock.GetUtcNow() + TimeSpan.FromMinutes(5))));

        var whileLeased = await DrainAsync(host);
        host.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var afterLease = await DrainAsync(host);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(whileLeased, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(0, 0, 0)));
            Assert.That(afterLease, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(1, 0, 0)));
            Assert.That(MessageIds(smtp), Is.EqualTo(queued));
        }
    }

    [Test]
    public async Task Drain_TwoNodesAtOnce_SendEveryMailOnce()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        await using var database = await TestDatabase.CreateAsync(kind);
        await using var nodeA = IdpTestHost.StartNode(database, SmtpSettings(smtp.Port));
        await using var nodeB = IdpTestHost.StartNode(database, SmtpSettings(smtp.Port));
        var queued = await EnqueueAsync(nodeA, 20);

        var results = await Task.WhenAll(Task.Run(() => DrainAsync(nodeA)), Task.Run(() => DrainAsync(nodeB)));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results.Sum(r => r.Sent), Is.EqualTo(20));
            Assert.That(MessageIds(smtp), Is.EquivalentTo(queued), "no mail twice, none missing");
        }
    }

    [Test]
    public async Task Drain_RecipientRefusedWith550_IsFailedAndNeverRetried()
    {
        await using var smtp = await TestSmtpServer.StartAsync(to => to.User == "nobody"
            ? new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.1.1 No such user")
            : null);
        await using var host = await IdpTestHost.StartAsync(kind, SmtpSettings(smtp.Port));
        await EnqueueAsync(host, 1, "nobody@example.jp");
        var delivered = await EnqueueAsync(host, 1);

        var result = await DrainAsync(host);
        host.Clock.Advance(TimeSpan.FromDays(1));
        var later = await DrainAsync(host);

        var refused = (await RowsAsync(host)).Single(r => r.Recipient == "nobody@example.jp");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(1, 0, 1)));
            Assert.That(later, Is.EqualTo(new IdentityProvider.Mail.MailDrainResult(0, 0, 0)), "a 5xx is not retried");
            Assert.That(MessageIds(smtp), Is.EqualTo(delivered));
            Assert.That(refused.FailedAt, Is.Not.Null);
            Assert.That(refused.SentAt, Is.Null);
            Assert.That(refused.Attempts, Is.EqualTo(1));
            Assert.That(refused.LastError, Does.StartWith("Permanent (SMTP 550)"));
        }
    }
}
