using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Links;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// What the table's baselines need, made once per fixture: clients of every kind, a signed-in
/// user with an ID token and an access token, antiforgery tokens with their cookies, admin API
/// tokens; and the single-use things each case needs fresh (codes, refresh tokens, mailed links).
/// </summary>
public sealed partial class BadInputWorld : IAsyncDisposable
{
    public const string RedirectUri = "http://127.0.0.1:7000/cb";
    public const string PostLogoutRedirectUri = "http://127.0.0.1:7000/signed-out";

    /// <summary>A return URL the login page takes: an authorization request on this server.</summary>
    public const string LocalReturnUrl = "/connect/authorize?client_id=x";

    private readonly CookieContainer anonymousCookies = new();
    private readonly CookieContainer signedInCookies = new();

    private BadInputWorld(IdpTestHost host) => Host = host;

    public IdpTestHost Host { get; }

    /// <summary>A public client (PKCE) with <see cref="RedirectUri"/> and <see cref="PostLogoutRedirectUri"/>.</summary>
    public string PublicClientId { get; } = "bad-spa-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A confidential client with the same URIs.</summary>
    public string ConfidentialClientId { get; } = "bad-web-" + Guid.NewGuid().ToString("N")[..8];

    public string ConfidentialSecret { get; private set; } = string.Empty;

    /// <summary>A third-party client (explicit consent): the consent screen.</summary>
    public string PartnerClientId { get; } = "bad-partner-" + Guid.NewGuid().ToString("N")[..8];

    public TestUser SignedInUser { get; private set; } = null!;

    /// <summary>The ID token the signed-in user's sign-in at the public client issued.</summary>
    public string IdTokenHint { get; private set; } = string.Empty;

    /// <summary>An access token of the signed-in user (userinfo).</summary>
    public string UserAccessToken { get; private set; } = string.Empty;

    public string AnonymousAntiforgery { get; private set; } = string.Empty;

    public string SignedInAntiforgery { get; private set; } = string.Empty;

    /// <summary>A client-credentials token with <c>idp.admin</c>.</summary>
    public string AdminToken { get; private set; } = string.Empty;

    /// <summary>A client-credentials token without <c>idp.admin</c> (403 at the admin API).</summary>
    public string NonAdminToken { get; private set; } = string.Empty;

    /// <summary>A user whose mailed links the link pages take (never signed in, never locked for good).</summary>
    public TestUser LinkUser { get; private set; } = null!;

    public static async Task<BadInputWorld> CreateAsync(DatabaseKind kind)
    {
        var host = await IdpTestHost.StartAsync(kind, new Dictionary<string, string?> { ["AdminApi:OpenApi"] = "true" });
        var world = new BadInputWorld(host);
        await world.BuildAsync();
        return world;
    }

    /// <summary>A new browser with a copy of <paramref name="identity"/>'s cookies.</summary>
    public TestBrowser Browser(BrowserIdentity identity)
    {
        var copy = new CookieContainer();
        foreach (Cookie cookie in (identity == BrowserIdentity.SignedIn ? signedInCookies : anonymousCookies).GetAllCookies())
        {
            copy.Add(cookie);
        }

        return new TestBrowser(Host, copy);
    }

    public static string UnknownAddress() => $"nobody-{Guid.NewGuid():N}@example.test";

    public static string NewName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>A fresh code for the public client, issued on the signed-in user's session.</summary>
    public async Task<string> CodeAsync(Pkce pkce)
    {
        using var browser = Browser(BrowserIdentity.SignedIn);
        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(PublicClientId, RedirectUri, pkce));
        return TestBrowser.Query(TestBrowser.Location(response))["code"];
    }

    /// <summary>A fresh refresh token of the public client.</summary>
    public async Task<string> RefreshTokenAsync()
    {
        var pkce = Pkce.Create();
        var code = await CodeAsync(pkce);
        using var browser = Browser(BrowserIdentity.Anonymous);
        var (status, json) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = PublicClientId,
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = pkce.Verifier,
        });
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
        return json.GetProperty("refresh_token").GetString()!;
    }

    /// <summary>A fresh client-credentials access token of the confidential client.</summary>
    public async Task<string> ClientCredentialsTokenAsync()
    {
        using var browser = Browser(BrowserIdentity.Anonymous);
        return await AdminApiSession.ClientCredentialsTokenAsync(browser, ConfidentialClientId, ConfidentialSecret, scope: null);
    }

    /// <summary>A fresh mailed-link token of <see cref="LinkUser"/>, as the lock or reset mail would carry it.</summary>
    public Task<string> LinkTokenAsync(LinkPurpose purpose) => Host.InScopeAsync(async services =>
    {
        var db = services.GetRequiredService<IdpDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == LinkUser.Email);
        var (token, _) = services.GetRequiredService<LinkTokens>().Issue(user, purpose);
        await db.SaveChangesAsync();
        return token;
    });

    public Task<Guid> UserIdAsync(string email) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    /// <summary>A fresh client that a case may remove.</summary>
    public async Task<string> DisposableClientAsync()
    {
        var id = NewName("bad-gone");
        await Host.RegisterClientAsync(new ClientRegistration { ClientId = id, Public = true, RedirectUris = [RedirectUri] });
        return id;
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();

    private async Task BuildAsync()
    {
        await Host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = PublicClientId,
            Public = true,
            RedirectUris = [RedirectUri],
            PostLogoutRedirectUris = [PostLogoutRedirectUri],
        });
        ConfidentialSecret = (await Host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = ConfidentialClientId,
            RedirectUris = [RedirectUri],
            PostLogoutRedirectUris = [PostLogoutRedirectUri],
        })).Secret!;
        await Host.RegisterClientAsync(new ClientRegistration
        {
            ClientId = PartnerClientId,
            Public = true,
            RedirectUris = [RedirectUri],
            Consent = "explicit",
            DisplayName = "Partner",
        });

        var admin = await AdminApiSession.StartAsync(Host);
        AdminToken = admin.AccessToken;
        admin.Dispose();
        NonAdminToken = await ClientCredentialsTokenAsync();

        SignedInUser = await Host.CreateUserAsync();
        LinkUser = await Host.CreateUserAsync();
        using (var browser = new TestBrowser(Host, signedInCookies))
        {
            var pkce = Pkce.Create();
            var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(PublicClientId, RedirectUri, pkce), SignedInUser);
            var (status, json) = await browser.TokenAsync(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["client_id"] = PublicClientId,
                ["code"] = TestBrowser.Query(callback)["code"],
                ["redirect_uri"] = RedirectUri,
                ["code_verifier"] = pkce.Verifier,
            });
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
            IdTokenHint = json.GetProperty("id_token").GetString()!;
            UserAccessToken = json.GetProperty("access_token").GetString()!;
            SignedInAntiforgery = await AntiforgeryTokenAsync(browser);
        }

        using (var browser = new TestBrowser(Host, anonymousCookies))
        {
            AnonymousAntiforgery = await AntiforgeryTokenAsync(browser);
        }
    }

    private static async Task<string> AntiforgeryTokenAsync(TestBrowser browser)
    {
        var html = await (await browser.GetAsync("/Account/Login")).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html);
        Assert.That(token.Success, Is.True, "the login form carries an antiforgery token");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
