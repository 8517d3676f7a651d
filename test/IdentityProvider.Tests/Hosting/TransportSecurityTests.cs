using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// Finding 12 of the hardening issue: with <c>Oidc:RequireHttps</c>, plain HTTP reads are
/// redirected to HTTPS and everything else is refused before a password is read; outside
/// Development every cookie is Secure and HttpOnly; HSTS lasts a year.
/// </summary>
[TestFixture]
public sealed class TransportSecurityTests
{
    private const string Issuer = "https://login.example.jp/";
    private IdpTestHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Oidc:Issuer"] = Issuer }, environment: "Production");

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    [TestCase("/Account/Login?ReturnUrl=%2Fconnect%2Fauthorize")]
    [TestCase("/Account/ForgotPassword")]
    [TestCase("/css/site.css")]
    public async Task PlainHttpGet_OfAPage_IsRedirectedToTheSameUrlOverHttpsOnTheIssuer(string pathAndQuery)
    {
        using var http = PlainHttpClient();

        using var response = await http.GetAsync(pathAndQuery);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PermanentRedirect));
            Assert.That(response.Headers.Location, Is.EqualTo(new Uri(new Uri(Issuer), pathAndQuery)));
        });
    }

    [Test]
    public async Task PlainHttpPost_OfTheLoginForm_IsRefusedWith400_AndThePasswordIsNeverChecked()
    {
        var user = await host.CreateUserAsync();
        using var https = host.CreateClient();
        using var page = await https.GetAsync("/Account/Login");
        var form = await page.Content.ReadAsStringAsync();
        var antiforgery = SetCookie(page, ".AspNetCore.Antiforgery.").Split(';')[0];
        using var http = PlainHttpClient();
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Input.Email"] = user.Email,
                ["Input.Password"] = user.Password,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value),
            }),
        };
        post.Headers.Add("Cookie", antiforgery);

        using var response = await http.SendAsync(post);

        var html = await PageHtml.ReadAsync(response);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Headers.Location, Is.Null);
            Assert.That(html, Does.Contain("id=\"error-message\""), "the error page");
            Assert.That(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("idp.session=", StringComparison.Ordinal)), Is.False);
            Assert.That(await UserRecords.AuditAsync(host, user.Email, IdentityProvider.Audit.AuditKind.SignIn), Is.Empty, "no sign-in, not even a failed one");
        });
    }

    [Test]
    public async Task PlainHttp_AtOpenIddictsEndpoints_IsAnsweredByOpenIddictAsInvalidRequest()
    {
        using var http = PlainHttpClient();

        using var token = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials" }));
        using var discovery = await http.GetAsync("/.well-known/openid-configuration");

        Assert.Multiple(async () =>
        {
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(JsonDocument.Parse(await token.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
            Assert.That(discovery.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task PlainHttp_AtTheAdminApi_IsRefusedWith400ProblemDetails()
    {
        using var http = PlainHttpClient();

        using var response = await http.GetAsync("/admin/api/clients");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        });
    }

    [Test]
    public async Task Cookies_OutsideDevelopment_AreSecureAndHttpOnly_WithTheirSameSite()
    {
        var user = await host.CreateUserAsync();
        using var browser = host.CreateBrowser();

        using var page = await browser.GetAsync("/Account/Login");
        using var signedIn = await browser.LoginAsync("/Account/Login", user.Email, user.Password);

        var antiforgery = SetCookie(page, ".AspNetCore.Antiforgery.");
        var session = SetCookie(signedIn, "idp.session=");
        Assert.Multiple(() =>
        {
            Assert.That(antiforgery, Does.Contain("; secure").IgnoreCase.And.Contain("; httponly").IgnoreCase.And.Contain("samesite=strict").IgnoreCase);
            Assert.That(session, Does.Contain("; secure").IgnoreCase.And.Contain("; httponly").IgnoreCase.And.Contain("samesite=lax").IgnoreCase);
        });
    }

    [Test]
    public async Task Cookies_OfARequestAProxyHandsOverAsPlainHttp_AreStillSecure()
    {
        // A TLS-terminating proxy that does not forward the scheme, with RequireHttps off: the
        // browser talks HTTPS to the issuer, so the cookie must be Secure whatever the request says.
        await using var behindProxy = await IdpTestHost.StartAsync(DatabaseKind.Sqlite,
            new Dictionary<string, string?> { ["Oidc:Issuer"] = Issuer, ["Oidc:RequireHttps"] = "false" }, environment: "Production");
        using var http = behindProxy.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost/"), AllowAutoRedirect = false });

        using var page = await http.GetAsync("/Account/Login");

        Assert.Multiple(() =>
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(SetCookie(page, ".AspNetCore.Antiforgery."), Does.Contain("; secure").IgnoreCase);
        });
    }

    [Test]
    public async Task Hsts_InProduction_IsOneYearWithSubdomains()
    {
        using var http = host.CreateClient();

        using var response = await http.GetAsync("/Account/Login");

        Assert.That(response.Headers.GetValues("Strict-Transport-Security").Single(), Is.EqualTo("max-age=31536000; includeSubDomains"));
    }

    [TestCase("http://login.example.jp/", "false", "only a loopback address")]
    [TestCase("http://127.0.0.1:5000/", "true", "Oidc:RequireHttps is true")]
    [TestCase("/relative/", "true", "not an absolute http(s) URL")]
    [TestCase("https://login.example.jp/?tenant=x", "true", "must not carry a query")]
    public async Task Issuer_ThatCannotBeTheBaseOfSecureLinks_StopsTheStart(string issuer, string requireHttps, string reason)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        await using var misconfigured = IdpTestHost.Unstarted(database,
            new Dictionary<string, string?> { ["Oidc:Issuer"] = issuer, ["Oidc:RequireHttps"] = requireHttps }, environment: "Production");

        Assert.That(() => _ = misconfigured.Services, Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("Oidc:Issuer").And.Message.Contains(reason));
    }

    private HttpClient PlainHttpClient() =>
        host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost/"), AllowAutoRedirect = false });

    private static string SetCookie(HttpResponseMessage response, string prefix)
    {
        var cookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal)) : null;
        Assert.That(cookie, Is.Not.Null, () => $"a Set-Cookie {prefix}…");
        return cookie!;
    }
}
