using IdentityProvider.Data;
using IdentityProvider.Links;
using IdentityProvider.Lockout;
using IdentityProvider.Retention;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Sessions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Retention;

/// <summary>
/// The retention pass deletes mail, links, failure counters and sessions nobody needs any more, on
/// the host's clock, and never what is still in use. Each test looks at its own rows only: the
/// fixture's clock moves forward and the scheduled pass runs beside the direct calls.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class RetentionTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Retention:AddressCounters"] = "60.00:00:00",
    };

    [Test]
    public async Task Prune_DeletesSentAndRefusedMailPastTheRetention_AndNeverMailThatWillBeRetried()
    {
        var now = Host.Clock.GetUtcNow();
        var sent = await AddMailAsync(m => m.SentAt = now);
        var refused = await AddMailAsync(m => m.FailedAt = now);
        // Failing for a month and still retried (SPEC §12): the next attempt after this test's clock.
        var pending = await AddMailAsync(m => m.NextAttemptAt = now + TimeSpan.FromDays(1000));

        Host.Clock.Advance(TimeSpan.FromDays(29));
        await PruneAsync();
        Assert.That(await MailAsync(sent, refused, pending), Is.EquivalentTo(new[] { sent, refused, pending }), "within the retention");

        Host.Clock.Advance(TimeSpan.FromDays(2));
        var sentRecently = await AddMailAsync(m => m.SentAt = Host.Clock.GetUtcNow());
        await PruneAsync();

        Assert.That(await MailAsync(sent, refused, pending, sentRecently), Is.EquivalentTo(new[] { pending, sentRecently }));
    }

    [Test]
    public async Task Prune_DeletesLinksThirtyDaysAfterTheyExpired_AndNeverALiveLink()
    {
        var user = await Host.CreateUserAsync();
        var old = await IssueLinkAsync(user);
        Host.Clock.Advance(TimeSpan.FromDays(40));
        var live = await IssueLinkAsync(user);

        Host.Clock.Advance(TimeSpan.FromDays(3));
        await PruneAsync();
        Assert.That(await LinksAsync(old, live), Is.EquivalentTo(new[] { old, live }), "43 days: expired 29 days ago");

        Host.Clock.Advance(TimeSpan.FromDays(2));
        await PruneAsync();
        Assert.That(await LinksAsync(old, live), Is.EquivalentTo(new[] { live }));
    }

    /// <summary>
    /// Counters at zero go after the default retention, a device cookie's once the cookie has
    /// expired (90 days), an address's after Retention:AddressCounters (60 days here) without a change.
    /// </summary>
    [Test]
    public async Task Prune_DeletesFailureCountersOnlyOnceTheyNoLongerMatter()
    {
        var id = Guid.NewGuid().ToString("N");
        var touched = FailureCounters.AddressKey($"touched-{id}@example.test");
        var untouched = FailureCounters.AddressKey($"untouched-{id}@example.test");
        var zero = FailureCounters.AddressKey($"zero-{id}@example.test");
        var device = FailureCounters.DeviceKey("nonce-" + id);
        await CountersAsync(async counters =>
        {
            foreach (var key in new[] { touched, untouched, zero, device })
            {
                await counters.RecordFailureAsync(key, CancellationToken.None);
            }

            await counters.ResetAsync(zero, CancellationToken.None);
        });

        Host.Clock.Advance(TimeSpan.FromDays(31));
        await PruneAsync();
        Assert.That(await CounterKeysAsync(id), Is.EquivalentTo(new[] { touched, untouched, device }), "day 31");

        Host.Clock.Advance(TimeSpan.FromDays(9));
        await CountersAsync(counters => counters.RecordFailureAsync(touched, CancellationToken.None));
        Host.Clock.Advance(TimeSpan.FromDays(21));
        await PruneAsync();
        Assert.That(await CounterKeysAsync(id), Is.EquivalentTo(new[] { touched, device }), "day 61");

        Host.Clock.Advance(TimeSpan.FromDays(30));
        await PruneAsync();
        Assert.That(await CounterKeysAsync(id), Is.EquivalentTo(new[] { touched }), "day 91; the touched counter changed on day 40");
    }

    [Test]
    public async Task Prune_DeletesExpiredSessions_AndKeepsLiveOnes()
    {
        var expired = await Host.CreateUserAsync();
        var live = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var first = Host.CreateBrowser();
        await SignInAsync(first, clientId, expired);
        Host.Clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        using var second = Host.CreateBrowser();
        await SignInAsync(second, clientId, live);

        await PruneAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await SessionTesting.RowsAsync(Host, expired.Email), Is.Empty);
            Assert.That(await SessionTesting.RowsAsync(Host, live.Email), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Job_PrunesOnTheHostClock()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        Assert.That(await SessionTesting.RowsAsync(Host, user.Email), Has.Count.EqualTo(1));

        // The scheduled pass (every hour), not a direct call.
        Host.Clock.Advance(TimeSpan.FromHours(9));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await SessionTesting.RowsAsync(Host, user.Email)).Count > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the retention job did not delete the expired session");
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task Command_PrunesNow_AndSaysHowMuch()
    {
        // A host of its own, whose job waits a week: the command's counts are all its own.
        await using var host = await IdpTestHost.StartAsync(Kind, new Dictionary<string, string?> { ["Retention:Interval"] = "7.00:00:00" });
        var user = await host.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await host.RegisterClientAsync(new IdentityProvider.Clients.ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var browser = host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        host.Clock.Advance(TimeSpan.FromHours(9));

        var result = await OperatorCli.RunAsync(host, "retention", "prune");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Match(@"^pruned 0 audit events older than 400 days, 0 mails, 0 links and 0 failure counters past their retention \(30 days\), and 1 expired sessions\r?\n$"));
        Assert.That(await SessionTesting.RowsAsync(host, user.Email), Is.Empty);
    }

    private Task PruneAsync() => Host.InScopeAsync(services => services.GetRequiredService<RetentionPruner>().PruneOnceAsync());

    private Task<Guid> AddMailAsync(Action<MailOutboxMessage> state) => Host.InScopeAsync(async services =>
    {
        var db = services.GetRequiredService<IdpDbContext>();
        var now = Host.Clock.GetUtcNow();
        var mail = new MailOutboxMessage
        {
            Id = Guid.NewGuid(),
            Template = "PasswordReset",
            Recipient = "retention@example.test",
            Subject = "retention",
            TextBody = "retention",
            MessageId = $"<{Guid.NewGuid():N}@example.test>",
            CreatedAt = now,
            NextAttemptAt = now,
        };
        state(mail);
        db.MailOutbox.Add(mail);
        await db.SaveChangesAsync();
        return mail.Id;
    });

    private Task<List<Guid>> MailAsync(params Guid[] ids) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().MailOutbox.Where(m => ids.Contains(m.Id)).Select(m => m.Id).ToListAsync());

    private Task<Guid> IssueLinkAsync(TestUser user) => Host.InScopeAsync(async services =>
    {
        var record = (await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(user.Email))!;
        services.GetRequiredService<LinkTokens>().Issue(record, LinkPurpose.PasswordReset);
        var db = services.GetRequiredService<IdpDbContext>();
        var added = db.ChangeTracker.Entries<UserLinkToken>().Single().Entity;
        await db.SaveChangesAsync();
        return added.Id;
    });

    private Task<List<Guid>> LinksAsync(params Guid[] ids) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().UserLinkTokens.Where(l => ids.Contains(l.Id)).Select(l => l.Id).ToListAsync());

    private Task CountersAsync(Func<FailureCounters, Task> change) =>
        Host.InScopeAsync(async services =>
        {
            await change(services.GetRequiredService<FailureCounters>());
            return true;
        });

    private Task<List<string>> CounterKeysAsync(string id) =>
        Host.InScopeAsync(async services =>
        {
            var keys = new[] { "touched", "untouched", "zero" }.Select(k => FailureCounters.AddressKey($"{k}-{id}@example.test"))
                .Append(FailureCounters.DeviceKey("nonce-" + id))
                .ToList();
            return await services.GetRequiredService<IdpDbContext>().SignInFailureCounters.Where(c => keys.Contains(c.Key)).Select(c => c.Key).ToListAsync();
        });
}
