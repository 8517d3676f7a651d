using System.Net;
using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Tests.Authorization;

/// <summary>
/// Token entries that can no longer be used, and authorizations left without tokens, are deleted
/// once older than the retention — never before the refresh-token lifetime, so that a replayed
/// refresh token is still recognised as one — while live chains keep their rows.
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
        Assert.That((await browser.TokenAsync(Refresh(live, first))).Status, Is.EqualTo(HttpStatusCode.OK));

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

        // Past the refresh-token lifetime: what can no longer be used goes, the live chain stays.
        Host.Clock.Advance(TimeSpan.FromDays(13));
        await PruneAsync();
        var liveAfter = await TokensAsync(live);
        Assert.That(liveAfter.Select(t => t.Status), Is.All.EqualTo(Statuses.Valid));
        Assert.That(liveAfter.Select(t => t.Id), Is.EquivalentTo(liveBefore.Where(t => t.Status == Statuses.Valid).Select(t => t.Id)));
        Assert.That(liveAfter.Count(t => t.Type == TokenTypeIdentifiers.RefreshToken), Is.EqualTo(1));
        Assert.That(await AuthorizationsAsync(live), Is.EqualTo(1));
        Assert.That(await TokensAsync(replayed), Is.Empty);
        Assert.That(await AuthorizationsAsync(replayed), Is.EqualTo(0));
    }

    [Test]
    public async Task Job_PrunesOnTheHostClock()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var client = await PublicClientAsync();
        await SignInAsync(browser, client, user);
        var code = (await TokensAsync(client)).Single(t => t.Type == TokenTypeIdentifiers.Private.AuthorizationCode);
        Assert.That(code.Status, Is.EqualTo(Statuses.Redeemed));

        // The scheduled pass, not a direct call: past the lifetime and one interval on the host's clock.
        Host.Clock.Advance(TimeSpan.FromDays(15));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await TokensAsync(client)).Any(t => t.Id == code.Id))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the pruning job did not delete the redeemed code");
            await Task.Delay(100);
        }

        Assert.That(await TokensAsync(client), Has.Count.EqualTo(2), "the access and refresh tokens are still valid");
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
