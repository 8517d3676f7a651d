using System.Net;
using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Tests.Authorization;

/// <summary>
/// Token entries that can no longer be used (redeemed, revoked, expired on the host's clock), and
/// authorizations left without tokens, are deleted once older than the retention — never before the
/// refresh-token lifetime, so that a replayed refresh token is still recognised as one — while live
/// chains keep their rows and go on working.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class TokenPruningTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    // A retention shorter than the refresh-token lifetime (14 days): the lifetime wins.
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["TokenPruning:Retention"] = "1.00:00:00",
        ["TokenPruning:Interval"] = "01:00:00",
    };

    [Test]
    public async Task Prune_KeepsUnusableTokensForTheRefreshTokenLifetime_ThenDeletesThem_AndKeepsLiveChains()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        // A live chain: code redeemed, first refresh token redeemed, the second one current.
        var live = await PublicClientAsync();
        var first = (await SignInAsync(browser, live, user)).GetProperty("refresh_token").GetString()!;
        var (refreshed, second) = await browser.TokenAsync(Refresh(live, first));
        Assert.That(refreshed, Is.EqualTo(HttpStatusCode.OK));
        var current = second.GetProperty("refresh_token").GetString()!;

        // A chain revoked by a replay: every token of its authorization revoked.
        var replayed = await PublicClientAsync();
        var stolen = (await SignInAsync(browser, replayed, user)).GetProperty("refresh_token").GetString()!;
        Assert.That((await browser.TokenAsync(Refresh(replayed, stolen))).Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await browser.TokenAsync(Refresh(replayed, stolen))).Status, Is.EqualTo(HttpStatusCode.BadRequest));

        var liveBefore = await TokensAsync(live);
        var replayedBefore = await TokensAsync(replayed);
        Assert.That(liveBefore, Has.Count.EqualTo(5), "code, two access tokens, two refresh tokens");
        Assert.That(replayedBefore.Select(t => t.Status), Is.All.EqualTo(Statuses.Revoked));

        // Past the configured retention (1 day), inside the refresh-token lifetime: nothing goes.
        Host.Clock.Advance(TimeSpan.FromDays(2));
        await PruneAsync();
        Assert.That(await TokensAsync(live), Has.Count.EqualTo(5));
        Assert.That(await TokensAsync(replayed), Has.Count.EqualTo(5));
        Assert.That(await AuthorizationsAsync(replayed), Is.EqualTo(1));

        // The live chain is used again before its refresh token expires (day 14).
        Host.Clock.Advance(TimeSpan.FromDays(11));
        var (status, rotated) = await browser.TokenAsync(Refresh(live, current));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), rotated.ToString());
        var latest = rotated.GetProperty("refresh_token").GetString()!;
        var issuedOnDay13 = (await TokensAsync(live)).Select(t => t.Id).Except(liveBefore.Select(t => t.Id)).ToList();
        Assert.That(issuedOnDay13, Has.Count.EqualTo(2), "an access token and a refresh token");

        // Day 15, past the refresh-token lifetime: everything issued on day 0 can no longer be used
        // (redeemed, revoked, or expired by the host's clock) and goes; the live chain keeps its
        // authorization and its new tokens, and goes on working.
        Host.Clock.Advance(TimeSpan.FromDays(2));
        await PruneAsync();
        Assert.That((await TokensAsync(live)).Select(t => t.Id), Is.EquivalentTo(issuedOnDay13));
        Assert.That(await AuthorizationsAsync(live), Is.EqualTo(1));
        Assert.That(await TokensAsync(replayed), Is.Empty);
        Assert.That(await AuthorizationsAsync(replayed), Is.EqualTo(0));
        Assert.That((await browser.TokenAsync(Refresh(live, latest))).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Job_PrunesOnTheHostClock()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var client = await PublicClientAsync();
        await SignInAsync(browser, client, user);
        Assert.That(await TokensAsync(client), Has.Count.EqualTo(3), "code, access token, refresh token");

        // The scheduled pass, not a direct call: past the lifetime on the host's clock, every token
        // of this sign-in has expired or been redeemed, and its authorization goes after them.
        Host.Clock.Advance(TimeSpan.FromDays(15));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await TokensAsync(client)).Count > 0 || await AuthorizationsAsync(client) > 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the pruning job did not delete the expired sign-in");
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task Prune_WalksPastManyBatches_WithEqualCreationDates()
    {
        const int Rows = 3 * TokenPruner.BatchSize + 100;
        var client = await PublicClientAsync();
        var created = Host.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromDays(30);

        // More rows than several batches, all created at the same moment, live ones among them.
        await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var application = await db.Set<OpenIddictEntityFrameworkCoreApplication>().SingleAsync(a => a.ClientId == client);
            for (var i = 0; i < Rows; i++)
            {
                var live = i % 3 == 0;
                db.Add(new OpenIddictEntityFrameworkCoreToken
                {
                    Application = application,
                    CreationDate = created,
                    ExpirationDate = live ? created + TimeSpan.FromDays(365) : created + TimeSpan.FromHours(1),
                    Status = live ? Statuses.Valid : Statuses.Redeemed,
                    Type = TokenTypeIdentifiers.RefreshToken,
                });
            }

            return await db.SaveChangesAsync();
        });

        await PruneAsync();

        var left = await TokensAsync(client);
        Assert.That(left, Has.Count.EqualTo((Rows + 2) / 3), "every third row is live");
        Assert.That(left.Select(t => t.Status), Is.All.EqualTo(Statuses.Valid));
    }

    [Test]
    public async Task Redemption_LeavesTheCreationDateAsItWas_EvenWhenTheWholeRowIsUpdated()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var client = await PublicClientAsync();
        var refresh = (await SignInAsync(browser, client, user)).GetProperty("refresh_token").GetString()!;
        var before = await CreationDatesAsync(client);

        // A redemption is OpenIddict's whole-row UPDATE; so is this write of a changed creation date.
        Assert.That((await browser.TokenAsync(Refresh(client, refresh))).Status, Is.EqualTo(HttpStatusCode.OK));
        await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var token = await db.Set<OpenIddictEntityFrameworkCoreToken>().FirstAsync(t => t.Application!.ClientId == client);
            token.CreationDate = token.CreationDate!.Value.AddDays(-100);
            db.Update(token);
            return await db.SaveChangesAsync();
        });

        var after = await CreationDatesAsync(client);
        Assert.That(before.Keys, Is.SubsetOf(after.Keys));
        Assert.That(before.Select(kv => after[kv.Key]), Is.EqualTo(before.Values), "the pruning walk's index key must not move");
    }

    private Task<Dictionary<string, DateTime?>> CreationDatesAsync(string clientId) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
            .Where(t => t.Application!.ClientId == clientId)
            .ToDictionaryAsync(t => t.Id!, t => t.CreationDate));

    [Test]
    public async Task Command_PrunesNow_AndSaysHowMuch()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var client = await PublicClientAsync();
        await SignInAsync(browser, client, user);
        Host.Clock.Advance(TimeSpan.FromDays(15));

        var result = await OperatorCli.RunAsync(Host, "tokens", "prune");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Match(@"^pruned \d+ token entries and \d+ authorizations created more than 14 days ago"));
        Assert.That(await TokensAsync(client), Is.Empty);
        Assert.That(await AuthorizationsAsync(client), Is.EqualTo(0));
    }

    private Task PruneAsync() =>
        Host.InScopeAsync(services => services.GetRequiredService<TokenPruner>().PruneOnceAsync());

    private Task<List<(string Id, string? Type, string? Status)>> TokensAsync(string clientId) =>
        Host.InScopeAsync(async services =>
        {
            var rows = await services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Where(t => t.Application!.ClientId == clientId)
                .Select(t => new { t.Id, t.Type, t.Status })
                .ToListAsync();
            return rows.Select(r => (r.Id!, r.Type, r.Status)).ToList();
        });

    private Task<int> AuthorizationsAsync(string clientId) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreAuthorization>()
            .CountAsync(a => a.Application!.ClientId == clientId));
}
