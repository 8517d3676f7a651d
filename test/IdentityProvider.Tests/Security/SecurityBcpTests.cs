using System.Net;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Tests.Security;

/// <summary>
/// The OAuth 2.0 Security Best Current Practice (RFC 9700), one named test per requirement, driven
/// as an attacker would: through the authorization, token and end-session endpoints only.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class SecurityBcpTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    private const string RegisteredUri = "https://rp.example/app/cb";

    /// <summary>RFC 9700 §4.1.3: the redirect URI is compared as a string with the registered one; no variant is accepted.</summary>
    [TestCase("https://rp.example/app/cb/")]
    [TestCase("https://rp.example/app/cb?next=1")]
    [TestCase("https://rp.example/app/CB")]
    [TestCase("https://RP.example/app/cb")]
    [TestCase("https://rp.example/app/cb/../../evil")]
    [TestCase("https://rp.example/app/cb%2F..%2Fevil")]
    [TestCase("https://rp.example:443/app/cb")]
    [TestCase("https://rp.example.evil.example/app/cb")]
    [TestCase("https://rp.example@evil.example/app/cb")]
    [TestCase("http://rp.example/app/cb")]
    [TestCase("https://rp.example/app")]
    public async Task RedirectUri_IsMatchedExactly_NoVariantIsAccepted(string variant)
    {
        var clientId = await ClientWithRegisteredUriAsync();
        using var browser = Host.CreateBrowser();

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, variant, Pkce.Create()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the error stays on our page");
        Assert.That(response.Headers.Location, Is.Null);
    }

    /// <summary>RFC 9700 §4.8.2: a code issued for a challenge needs its verifier, and a verifier for a code issued without a challenge is refused.</summary>
    [Test]
    public async Task Pkce_CannotBeDowngraded()
    {
        var user = await Host.CreateUserAsync();
        var publicId = await PublicClientAsync();
        var (confidentialId, secret) = await ConfidentialClientAsync();
        using var browser = Host.CreateBrowser();

        // A public client must send a challenge at all.
        using var withoutChallenge = await browser.GetAsync(TestBrowser.AuthorizeUrl(publicId, RedirectUri, pkce: null));
        var refused = TestBrowser.Query(TestBrowser.Location(withoutChallenge));

        // A code issued with a challenge, redeemed without the verifier (the attacker stripped it).
        var pkce = Pkce.Create();
        var code = await CodeAsync(browser, publicId, pkce, user);
        var (strippedStatus, stripped) = await browser.TokenAsync(CodeRedemption(publicId, code, pkce: null));

        // A code issued without a challenge (a confidential client may omit PKCE), redeemed with a verifier.
        var plainCode = await CodeAsync(browser, confidentialId, pkce: null, user);
        var (addedStatus, added) = await browser.TokenAsync(CodeRedemption(confidentialId, plainCode, Pkce.Create(), secret));

        // A wrong verifier.
        var other = Pkce.Create();
        var codeForOther = await CodeAsync(browser, publicId, other, user);
        var (wrongStatus, wrong) = await browser.TokenAsync(CodeRedemption(publicId, codeForOther, Pkce.Create()));

        Assert.Multiple(() =>
        {
            Assert.That(refused["error"], Is.EqualTo("invalid_request"));
            Assert.That(refused, Does.Not.ContainKey("code"));
            Assert.That((strippedStatus, Error(stripped)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_request")).Or.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
            Assert.That((addedStatus, Error(added)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_request")).Or.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
            Assert.That((wrongStatus, Error(wrong)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
            Assert.That(stripped.TryGetProperty("access_token", out _) || added.TryGetProperty("access_token", out _) || wrong.TryGetProperty("access_token", out _), Is.False);
        });
    }

    /// <summary>RFC 6749 §4.1.3, RFC 9700 §4.5: a code is redeemed only by the client it was issued to, with the same redirect URI, once.</summary>
    [Test]
    public async Task Code_IsBoundToItsClientAndRedirectUri_AndIsSingleUse()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        var otherClient = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var code = await CodeAsync(browser, clientId, pkce, user);

        var (otherClientStatus, byOtherClient) = await browser.TokenAsync(CodeRedemption(otherClient, code, pkce));
        var otherRedirect = CodeRedemption(clientId, code, pkce);
        otherRedirect["redirect_uri"] = "http://127.0.0.1:7000/other";
        var (otherRedirectStatus, byOtherRedirect) = await browser.TokenAsync(otherRedirect);

        // Neither attempt spent the code: its rightful client still redeems it, exactly once.
        var (status, tokens) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce));
        var (replayStatus, replay) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce));

        Assert.Multiple(() =>
        {
            Assert.That((otherClientStatus, Error(byOtherClient)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
            Assert.That((otherRedirectStatus, Error(byOtherRedirect)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), tokens.ToString());
            Assert.That((replayStatus, Error(replay)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
        });

        // A replayed code means it leaked: what it issued is revoked (RFC 6749 §4.1.2).
        var (afterReplay, refreshed) = await browser.TokenAsync(Refresh(clientId, tokens.GetProperty("refresh_token").GetString()!));
        Assert.That((afterReplay, Error(refreshed)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
    }

    /// <summary>RFC 9700 §4.14.2: refresh tokens rotate, and presenting a spent one revokes every token of its family.</summary>
    [Test]
    public async Task RefreshTokenReuse_RevokesTheWholeFamily()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var first = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;
        var (_, rotated) = await browser.TokenAsync(Refresh(clientId, first));
        var second = rotated.GetProperty("refresh_token").GetString()!;
        var (_, rotatedAgain) = await browser.TokenAsync(Refresh(clientId, second));
        var third = rotatedAgain.GetProperty("refresh_token").GetString()!;

        // The attacker replays the first, long-spent token.
        var (replayStatus, replay) = await browser.TokenAsync(Refresh(clientId, first));
        var (thirdStatus, _) = await browser.TokenAsync(Refresh(clientId, third));

        // Another sign-in of the same user is a separate family and keeps working.
        var unrelated = (await SignInAsync(Host.CreateBrowser(), clientId, user)).GetProperty("refresh_token").GetString()!;
        var (unrelatedStatus, _) = await browser.TokenAsync(Refresh(clientId, unrelated));

        Assert.Multiple(() =>
        {
            Assert.That((replayStatus, Error(replay)), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant")));
            Assert.That(thirdStatus, Is.EqualTo(HttpStatusCode.BadRequest), "the newest token of the family died with the replay");
            Assert.That(unrelatedStatus, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    /// <summary>RFC 9207 (RFC 9700 §4.4.2): every authorization response names the issuer, and discovery says so.</summary>
    [Test]
    public async Task AuthorizationResponses_CarryTheIssuer()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var discovery = JsonDocument.Parse(await browser.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        var success = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "s1"), user);
        using var failure = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), state: "s2", extra: new Dictionary<string, string?> { ["prompt"] = "none login" }));
        var error = TestBrowser.Query(TestBrowser.Location(failure));

        var issuer = discovery.GetProperty("issuer").GetString();
        Assert.Multiple(() =>
        {
            Assert.That(discovery.GetProperty("authorization_response_iss_parameter_supported").GetBoolean(), Is.True);
            Assert.That(TestBrowser.Query(success)["iss"], Is.EqualTo(issuer));
            Assert.That(TestBrowser.Query(success), Does.ContainKey("code"));
            Assert.That(error["iss"], Is.EqualTo(issuer));
            Assert.That(error, Does.ContainKey("error"));
        });
    }

    /// <summary>RFC 9700 §2.1.2 and §2.4: no implicit grant (no token from the authorization endpoint) and no password grant.</summary>
    [TestCase("token")]
    [TestCase("id_token")]
    [TestCase("id_token token")]
    [TestCase("code id_token")]
    [TestCase("code token")]
    public async Task ImplicitAndHybridResponseTypes_AreRefused(string responseType)
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(),
            extra: new Dictionary<string, string?> { ["response_type"] = responseType }));

        var callback = TestBrowser.Location(response);
        var parameters = QueryHelpers.ParseQuery(callback.Query)
            .Concat(QueryHelpers.ParseQuery(callback.Fragment.TrimStart('#')))
            .ToDictionary(p => p.Key, p => p.Value.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(parameters["error"], Is.EqualTo("unsupported_response_type"));
            Assert.That(parameters.Keys, Has.None.AnyOf("access_token", "id_token", "code"));
        });
    }

    [Test]
    public async Task PasswordAndImplicitGrants_AreNeitherAdvertisedNorAccepted()
    {
        var user = await Host.CreateUserAsync();
        var (clientId, secret) = await ConfidentialClientAsync();
        using var browser = Host.CreateBrowser();
        var discovery = JsonDocument.Parse(await browser.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        var (status, json) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["username"] = user.Email,
            ["password"] = user.Password,
            ["scope"] = "openid",
        });

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(Error(json), Is.EqualTo("unsupported_grant_type"));
            Assert.That(json.TryGetProperty("access_token", out _), Is.False);
            Assert.That(Strings(discovery, "grant_types_supported"), Has.None.AnyOf("password", "implicit"));
            Assert.That(Strings(discovery, "response_types_supported"), Is.EqualTo(new[] { "code" }));
        });
    }

    /// <summary>RFC 9700 §4.11, OIDC RP-Initiated Logout §3: only a registered post-logout URI is ever a redirect target.</summary>
    [TestCase("https://evil.example/signed-out")]
    [TestCase("http://127.0.0.1:7000/signed-out/../evil")]
    [TestCase("http://127.0.0.1:7000/signed-out?next=https://evil.example")]
    [TestCase("//evil.example/signed-out")]
    [TestCase("javascript:alert(1)")]
    public async Task Logout_IsNoOpenRedirect(string target)
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var idToken = (await SignInAsync(browser, clientId, user)).GetProperty("id_token").GetString()!;
        var escaped = Uri.EscapeDataString(target);

        using var withHint = await browser.GetAsync($"/connect/endsession?id_token_hint={idToken}&post_logout_redirect_uri={escaped}");
        using var withoutHint = await browser.GetAsync($"/connect/endsession?post_logout_redirect_uri={escaped}");
        using var withClientId = await browser.GetAsync($"/connect/endsession?client_id={clientId}&post_logout_redirect_uri={escaped}");

        foreach (var response in new[] { withHint, withoutHint, withClientId })
        {
            var location = response.Headers.Location;
            Assert.That(location is null || (!location.IsAbsoluteUri && location.OriginalString.StartsWith('/') && !location.OriginalString.StartsWith("//", StringComparison.Ordinal)),
                Is.True, $"{(int)response.StatusCode} to {location}: logout must not redirect to an unregistered URI");
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("evil.example").And.Not.Contain("javascript:"));
        }
    }

    private async Task<string> ClientWithRegisteredUriAsync()
    {
        var id = "bcp-" + Guid.NewGuid().ToString("N")[..10];
        await Host.RegisterClientAsync(new ClientRegistration { ClientId = id, Public = true, RedirectUris = [RegisteredUri] });
        return id;
    }

    private static async Task<string> CodeAsync(TestBrowser browser, string clientId, Pkce? pkce, TestUser user)
    {
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user);
        return TestBrowser.Query(callback)["code"];
    }

    private static string? Error(JsonElement json) => json.TryGetProperty("error", out var error) ? error.GetString() : null;

    private static string?[] Strings(JsonElement discovery, string name) =>
        discovery.GetProperty(name).EnumerateArray().Select(e => e.GetString()).ToArray();
}
