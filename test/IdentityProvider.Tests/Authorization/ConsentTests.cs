using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Authorization;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Authorization;

/// <summary>Third-party clients (explicit consent): the screen, the remembered decision, prompt=consent/none, deny, revoke.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed partial class ConsentTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task Authorize_ThirdPartyClient_ShowsTheConsentScreen_ThenRemembersTheDecision()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await ThirdPartyClientAsync();
        using var browser = Host.CreateBrowser();

        var consent = await BrowseToConsentAsync(browser, TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), scope: "openid email", state: "c1"), user);
        var html = await (await browser.GetAsync(consent.PathAndQuery)).Content.ReadAsStringAsync();
        var text = WebUtility.HtmlDecode(html);
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Storage Partner"));
            Assert.That(text, Does.Contain("メールアドレス"));
            Assert.That(text, Does.Contain("許可する").And.Contain("許可しない"));
        });

        var callback = await DecideAsync(browser, consent, html, "allow");
        Assert.That(TestBrowser.Query(callback)["state"], Is.EqualTo("c1"));
        Assert.That(TestBrowser.Query(callback), Does.ContainKey("code"));

        // Same or fewer scopes: no screen.
        using var again = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), scope: "openid"));
        Assert.That(TestBrowser.Location(again).GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
        // More scopes: the screen again.
        using var more = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), scope: "openid email profile"));
        Assert.That(TestBrowser.Location(more).AbsolutePath, Is.EqualTo(ConsentFlow.PagePath));
        Assert.That(await AuditCountAsync("ConsentGranted", clientId), Is.EqualTo(1));
    }

    [Test]
    public async Task Authorize_PromptConsent_ShowsTheScreenEvenWhenAllowedBefore()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await ThirdPartyClientAsync();
        using var browser = Host.CreateBrowser();
        await AllowAsync(browser, clientId, user);

        using var forced = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), scope: "openid", extra: new Dictionary<string, string?> { ["prompt"] = "consent" }));
        var consent = TestBrowser.Location(forced);
        Assert.That(consent.AbsolutePath, Is.EqualTo(ConsentFlow.PagePath));

        var html = await (await browser.GetAsync(consent.PathAndQuery)).Content.ReadAsStringAsync();
        var callback = await DecideAsync(browser, consent, html, "allow");
        Assert.That(TestBrowser.Query(callback), Does.ContainKey("code"), "a satisfied prompt=consent must not loop");
    }

    [Test]
    public async Task Authorize_PromptNone_WithoutConsent_ReturnsConsentRequired()
    {
        var user = await Host.CreateUserAsync();
        var firstParty = await PublicClientAsync();
        var clientId = await ThirdPartyClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, firstParty, user);

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "n", extra: new Dictionary<string, string?> { ["prompt"] = "none" }));

        var query = TestBrowser.Query(TestBrowser.Location(response));
        Assert.That(query["error"], Is.EqualTo("consent_required"));
        Assert.That(query["state"], Is.EqualTo("n"));
    }

    [Test]
    public async Task Consent_Deny_ReturnsAccessDeniedToTheClient_AndRemembersNothing()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await ThirdPartyClientAsync();
        using var browser = Host.CreateBrowser();
        var consent = await BrowseToConsentAsync(browser, TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "d1"), user);
        var html = await (await browser.GetAsync(consent.PathAndQuery)).Content.ReadAsStringAsync();

        var callback = await DecideAsync(browser, consent, html, "deny");

        Assert.That(TestBrowser.Query(callback)["error"], Is.EqualTo("access_denied"));
        Assert.That(TestBrowser.Query(callback)["state"], Is.EqualTo("d1"));
        using var again = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        Assert.That(TestBrowser.Location(again).AbsolutePath, Is.EqualTo(ConsentFlow.PagePath));
        Assert.That(await AuditCountAsync("ConsentDenied", clientId), Is.EqualTo(1));
    }

    [Test]
    public async Task Consent_PostWithoutAntiforgeryToken_IsRefused()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await ThirdPartyClientAsync();
        using var browser = Host.CreateBrowser();
        var consent = await BrowseToConsentAsync(browser, TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()), user);

        using var forged = await browser.Http.PostAsync(ConsentFlow.PagePath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId, ["scope"] = "openid email", ["idp_decision"] = "allow",
        }));

        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await AuditCountAsync("ConsentGranted", clientId), Is.Zero);
    }

    [Test]
    public async Task ConsentGrants_ListAndRevoke_RevokesTheAuthorizationAndItsTokens()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await ThirdPartyClientAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var consent = await BrowseToConsentAsync(browser, TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce, scope: "openid offline_access"), user);
        var html = await (await browser.GetAsync(consent.PathAndQuery)).Content.ReadAsStringAsync();
        var callback = await DecideAsync(browser, consent, html, "allow");
        var (_, tokens) = await browser.TokenAsync(CodeRedemption(clientId, TestBrowser.Query(callback)["code"], pkce));
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        var listed = await WithGrantsAsync(user, (grants, found) => grants.ListAsync(found.Id));
        Assert.That(listed.Single().ClientId, Is.EqualTo(clientId));
        Assert.That(listed.Single().Scopes, Is.EquivalentTo(new[] { "offline_access", "openid" }));

        var revoked = await WithGrantsAsync(user, (grants, found) => grants.RevokeAsync(found, clientId));

        Assert.That(revoked, Is.EqualTo(1));
        Assert.That(await WithGrantsAsync(user, (grants, found) => grants.ListAsync(found.Id)), Is.Empty);
        var (status, json) = await browser.TokenAsync(Refresh(clientId, refresh));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), json.ToString());
        Assert.That(await AuditCountAsync("ConsentRevoked", clientId), Is.EqualTo(1));
        using var again = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), scope: "openid"));
        Assert.That(TestBrowser.Location(again).AbsolutePath, Is.EqualTo(ConsentFlow.PagePath));
    }

    private async Task<string> ThirdPartyClientAsync()
    {
        var id = "partner-" + Guid.NewGuid().ToString("N")[..10];
        await Host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = id,
            DisplayName = "Storage Partner",
            Public = true,
            RedirectUris = [RedirectUri],
            Consent = "explicit",
        });
        return id;
    }

    /// <summary>Authorize (logging in when asked) and return the consent page's URL.</summary>
    private static async Task<Uri> BrowseToConsentAsync(TestBrowser browser, string authorizeUrl, TestUser user)
    {
        var location = await browser.AuthorizeAsync(authorizeUrl, user);
        Assert.That(location.AbsolutePath, Is.EqualTo(ConsentFlow.PagePath));
        return location;
    }

    private async Task AllowAsync(TestBrowser browser, string clientId, TestUser user)
    {
        var consent = await BrowseToConsentAsync(browser, TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), scope: "openid"), user);
        var html = await (await browser.GetAsync(consent.PathAndQuery)).Content.ReadAsStringAsync();
        await DecideAsync(browser, consent, html, "allow");
    }

    /// <summary>Posts the page's form with the decision, follows back to the authorization endpoint, returns the client callback.</summary>
    private static async Task<Uri> DecideAsync(TestBrowser browser, Uri consent, string html, string decision)
    {
        var fields = HiddenField().Matches(html)
            .Where(m => m.Groups[1].Value != "__RequestVerificationToken")
            .ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        fields["idp_decision"] = decision;
        using var posted = await browser.SubmitFormAsync(consent.AbsolutePath, html, fields);
        var back = TestBrowser.Location(posted);
        Assert.That(back.AbsolutePath, Is.EqualTo("/connect/authorize"));
        using var answered = await browser.GetAsync(back.PathAndQuery);
        var callback = TestBrowser.Location(answered);
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
        return callback;
    }

    private Task<T> WithGrantsAsync<T>(TestUser user, Func<ConsentGrants, ApplicationUser, Task<T>> action) =>
        Host.InScopeAsync(async services =>
        {
            var found = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(user.Email);
            return await action(services.GetRequiredService<ConsentGrants>(), found!);
        });

    private Task<int> AuditCountAsync(string kind, string clientId) => Host.InScopeAsync(services =>
        services.GetRequiredService<IdpDbContext>().AuditEvents.CountAsync(e => e.Kind == kind && e.Subject == clientId));

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();
}
