using System.Net;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Persistence;

/// <summary>
/// Canaries: each pins one behaviour of OpenIddict or EF Core that a piece of
/// <c>Persistence/</c> relies on, seen from the statements a request sends to the database. When
/// an upgrade changes that behaviour, the canary fails before the piece silently stops working.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class FrameworkCanaryTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    /// <summary>
    /// <c>OidcRequestWrites</c> relies on OpenIddict writing a refresh grant's changes (the old
    /// token redeemed, the new entries) through <c>SaveChanges</c> of the request's own context, so
    /// that its interceptor can hold them back to the one flush. A redemption by
    /// <c>ExecuteUpdate</c>, or a save through another context, would reach the database between the
    /// reads, outside the request's unit of work; three saves would be three transactions.
    /// </summary>
    [Test]
    public async Task RefreshGrant_WritesOnlyAfterItsLastRead_TheRedemptionWithTheNewEntries()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var refreshToken = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;

        var database = Host.Services.GetRequiredService<ConnectionCounter>();
        database.Watch("/connect/token");
        var (status, json) = await browser.TokenAsync(Refresh(clientId, refreshToken));
        var commands = database.Commands;

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
        AssertWritesComeLast(commands);
        var writes = string.Join(' ', commands.Where(IsWrite));
        Assert.Multiple(() =>
        {
            Assert.That(database.Transactions, Is.EqualTo(1), "one save in one transaction (OpenIddict's three saves held back): " + string.Join(" | ", commands));
            Assert.That(Occurrences(writes, "UPDATE"), Is.EqualTo(1), "the old refresh token redeemed: " + writes);
            Assert.That(Occurrences(writes, "INSERT"), Is.GreaterThanOrEqualTo(2), "the new access and refresh tokens' entries: " + writes);
        });
    }

    /// <summary>
    /// The authorization endpoint's unit of work relies on OpenIddict creating the ad-hoc
    /// authorization and the code's entry through <c>SaveChanges</c> of the request's context, and
    /// on nothing else of it writing before the redirect is built: both rows go in at the end, as
    /// inserts (OpenIddict's later update of the code's payload folds into the insert).
    /// </summary>
    [Test]
    public async Task AuthorizationWithASession_InsertsTheAuthorizationAndTheCode_AfterItsLastRead()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        var database = Host.Services.GetRequiredService<ConnectionCounter>();
        database.Watch("/connect/authorize");
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()), user: null);
        var commands = database.Commands;

        Assert.That(TestBrowser.Query(callback), Does.ContainKey("code"));
        AssertWritesComeLast(commands);
        var writes = string.Join(' ', commands.Where(IsWrite));
        Assert.Multiple(() =>
        {
            Assert.That(database.Transactions, Is.EqualTo(1), "one save in one transaction: " + string.Join(" | ", commands));
            Assert.That(writes, Does.Contain("OpenIddictAuthorizations").And.Contain("OpenIddictTokens"), writes);
            Assert.That(Occurrences(writes, "UPDATE"), Is.Zero, "the code's payload is part of its insert: " + writes);
        });
    }

    /// <summary>
    /// <c>ApplicationCache</c> serves OpenIddict's client lookups because OpenIddict resolves the
    /// client through the application manager's overridable <c>FindByClientIdAsync</c>
    /// (<c>ClientApplicationManager</c>). With the client cached, a client-credentials grant (no
    /// token row, no user) then sends the database nothing.
    /// </summary>
    [Test]
    public async Task ClientCredentials_WithTheClientCached_SendsNoStatement()
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = "idp.admin",
        };
        var (first, _) = await browser.TokenAsync(form);

        var database = Host.Services.GetRequiredService<ConnectionCounter>();
        database.Watch("/connect/token");
        var (second, json) = await browser.TokenAsync(form);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second, Is.EqualTo(HttpStatusCode.OK), json.ToString());
            Assert.That(database.Commands, Is.Empty, string.Join(" | ", database.Commands));
            Assert.That(database.Opened, Is.Zero, "no connection either");
        });
    }

    private static bool IsWrite(string command) =>
        command.Contains("INSERT ", StringComparison.OrdinalIgnoreCase)
        || command.Contains("UPDATE ", StringComparison.OrdinalIgnoreCase)
        || command.Contains("DELETE ", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every command from the first write on is a write: nothing is read after the unit of work began to go out.</summary>
    private static void AssertWritesComeLast(IReadOnlyList<string> commands)
    {
        var first = commands.ToList().FindIndex(c => IsWrite(c));
        Assert.That(first, Is.GreaterThanOrEqualTo(0), "the request wrote: " + string.Join(" | ", commands));
        Assert.That(commands.Skip(first), Has.All.Matches<string>(IsWrite), "reads after the first write: " + string.Join(" | ", commands));
    }

    private static int Occurrences(string text, string word)
    {
        var count = 0;
        for (var at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(word, at + word.Length, StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }

        return count;
    }
}
