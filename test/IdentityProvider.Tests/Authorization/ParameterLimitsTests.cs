using System.Net;
using System.Text.Json;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Tests.Authorization;

/// <summary>Bounded, single parameters at PAR, authorize and token; max_age; the PAR quota and lifetime.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ParameterLimitsTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Oidc:PushedRequestsPerClient"] = "3" };

    [Test]
    public async Task Par_ValidRequest_GetsARequestUriLiving90Seconds()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();

        var (status, json) = await PushAsync(browser, Pushed(clientId));

        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), json.ToString());
        Assert.That(json.GetProperty("expires_in").GetInt32(), Is.InRange(60, 90));
    }

    [TestCase("state")]
    [TestCase("nonce")]
    [TestCase("an_extra_field")]
    public async Task Par_OversizedParameter_IsInvalidRequest_AndStoresNothing(string name)
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var form = Pushed(clientId);
        form[name] = new string('a', 5_000);

        var (status, json) = await PushAsync(browser, form);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        Assert.That(await RequestTokensAsync(clientId), Is.Zero);
    }

    [Test]
    public async Task Par_ManyUnknownParameters_IsInvalidRequest_AndStoresNothing()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var form = Pushed(clientId);
        for (var i = 0; i < 11; i++)
        {
            form["extra" + i] = "x";
        }

        var (status, json) = await PushAsync(browser, form);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error_description").GetString(), Does.Contain("does not know"));
        Assert.That(await RequestTokensAsync(clientId), Is.Zero);
    }

    [Test]
    public async Task Par_OverTheClientsPendingQuota_Is429_AndStoresNoMore()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await PushAsync(browser, Pushed(clientId))).Status, Is.EqualTo(HttpStatusCode.Created));
        }

        using var refused = await browser.Http.PostAsync("/connect/par", new FormUrlEncodedContent(Pushed(clientId)));
        var json = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
        Assert.That(json.GetProperty("error_description").GetString(), Does.Contain("pending"));
        Assert.That(await RequestTokensAsync(clientId), Is.EqualTo(3));

        // Expired request_uris no longer count.
        Host.Clock.Advance(TimeSpan.FromSeconds(91));
        Assert.That((await PushAsync(browser, Pushed(clientId))).Status, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task Par_NextPush_DeletesTheClientsExpiredRequests_SoItsRowsStayWithinTheQuota()
    {
        var clientId = await PublicClientAsync();
        var other = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            await PushAsync(browser, Pushed(clientId));
        }

        await PushAsync(browser, Pushed(other));
        Host.Clock.Advance(TimeSpan.FromSeconds(91));

        Assert.That((await PushAsync(browser, Pushed(clientId))).Status, Is.EqualTo(HttpStatusCode.Created));

        Assert.That(await RequestTokensAsync(clientId), Is.EqualTo(1), "only the live request is kept");
        Assert.That(await RequestTokensAsync(other), Is.EqualTo(1), "another client's rows wait for its own next push or for pruning");
    }

    [Test]
    public async Task Par_RepeatedParameter_IsInvalidRequest()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var body = new FormUrlEncodedContent([.. Pushed(clientId), KeyValuePair.Create("state", "second")]);

        using var response = await browser.Http.PostAsync("/connect/par", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("more than once"));
    }

    [TestCase("prompt", "login")]
    [TestCase("state", "s")]
    [TestCase("nonce", "n")]
    [TestCase("scope", "openid")]
    [TestCase("max_age", "0")]
    [TestCase("code_challenge", "x")]
    [TestCase("response_type", "code")]
    public async Task Authorize_RepeatedParameter_IsInvalidRequest_AndIssuesNoCode(string name, string value)
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        var url = TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "r1", extra: new Dictionary<string, string?> { ["prompt"] = "login", ["max_age"] = "300" })
            + $"&{name}={value}";

        using var response = await browser.GetAsync(url);

        // A repeated state or response_type leaves nothing the client could match or read: our page.
        AssertNoCode(response, stayOnOurPage: name is "state" or "response_type");
    }

    [Test]
    public async Task Authorize_RepeatedParameterInAPostedForm_IsInvalidRequest()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        var pkce = Pkce.Create();
        var form = new List<KeyValuePair<string, string>>
        {
            new("client_id", clientId), new("response_type", "code"), new("redirect_uri", RedirectUri), new("scope", "openid"),
            new("state", "p"), new("code_challenge", pkce.Challenge), new("code_challenge_method", "S256"),
            new("prompt", "login"), new("prompt", "login"),
        };

        using var response = await browser.Http.PostAsync("/connect/authorize", new FormUrlEncodedContent(form));

        AssertNoCode(response, stayOnOurPage: false);
    }

    [Test]
    public async Task Token_RepeatedParameter_IsInvalidRequest()
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"), new("client_id", clientId), new("client_secret", secret),
            new("scope", "idp.admin"), new("scope", "idp.admin"),
        };

        using var response = await browser.Http.PostAsync("/connect/token", new FormUrlEncodedContent(form));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
    }

    [TestCase("abc")]
    [TestCase("-1")]
    [TestCase("1.5")]
    [TestCase("999999999999")]
    public async Task Authorize_InvalidMaxAge_IsInvalidRequestAtTheClient(string maxAge)
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "m", extra: new Dictionary<string, string?> { ["max_age"] = maxAge }));

        var query = TestBrowser.Query(TestBrowser.Location(response));
        Assert.That(query["error"], Is.EqualTo("invalid_request"));
        Assert.That(query["error_description"], Does.Contain("max_age"));
        Assert.That(query, Does.Not.ContainKey("code"));
    }

    [Test]
    public async Task Par_InvalidMaxAge_IsInvalidRequest()
    {
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var form = Pushed(clientId);
        form["max_age"] = "999999999999";

        var (status, json) = await PushAsync(browser, form);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error_description").GetString(), Does.Contain("max_age"));
    }

    private static void AssertNoCode(HttpResponseMessage response, bool stayOnOurPage)
    {
        if (stayOnOurPage)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Headers.Location, Is.Null);
            return;
        }

        var callback = TestBrowser.Location(response);
        var query = TestBrowser.Query(callback);
        Assert.That(callback.GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));
        Assert.That(query["error"], Is.EqualTo("invalid_request"));
        Assert.That(query["error_description"], Does.Contain("more than once"));
        Assert.That(query, Does.Not.ContainKey("code"));
    }

    private static Dictionary<string, string> Pushed(string clientId)
    {
        var pkce = Pkce.Create();
        return new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid",
            ["state"] = "s",
            ["code_challenge"] = pkce.Challenge,
            ["code_challenge_method"] = "S256",
        };
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> PushAsync(TestBrowser browser, IDictionary<string, string> form)
    {
        using var response = await browser.Http.PostAsync("/connect/par", new FormUrlEncodedContent(form));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private Task<int> RequestTokensAsync(string clientId) => Host.InScopeAsync(services =>
        services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreToken>()
            .CountAsync(t => t.Application!.ClientId == clientId));
}
