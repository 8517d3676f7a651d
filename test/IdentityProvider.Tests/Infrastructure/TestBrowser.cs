using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// A cookie-keeping HTTP client that follows nothing by itself, so that each redirect of a flow
/// can be asserted; plus the relying party's side of the protocol.
/// </summary>
public sealed partial class TestBrowser : IDisposable
{
    private readonly HttpClient http;

    /// <param name="cookies">Share a jar between browsers to move one browser between nodes of a cluster.</param>
    public TestBrowser(IdpTestHost host, CookieContainer? cookies = null)
    {
        Cookies = cookies ?? new CookieContainer();
        http = host.CreateDefaultClient(host.BaseAddress, new CookieContainerHandler(Cookies));
        Host = host;
    }

    public IdpTestHost Host { get; }

    public CookieContainer Cookies { get; }

    public HttpClient Http => http;

    public void Dispose() => http.Dispose();

    public Task<HttpResponseMessage> GetAsync(string url) => http.GetAsync(url);

    /// <summary>Posts a form, adding the antiforgery token of the page that shows it.</summary>
    public async Task<HttpResponseMessage> SubmitFormAsync(string pageUrl, string html, IDictionary<string, string> fields)
    {
        var form = new Dictionary<string, string>(fields);
        var token = AntiforgeryField().Match(html);
        if (token.Success)
        {
            form["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        }

        return await http.PostAsync(pageUrl, new FormUrlEncodedContent(form));
    }

    /// <summary>Fills and submits the login page at <paramref name="loginUrl"/>.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string loginUrl, string email, string password)
    {
        var page = await http.GetAsync(loginUrl);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "login page");
        var html = await page.Content.ReadAsStringAsync();
        var returnUrl = ReturnUrlField().Match(html);
        var fields = new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password };
        if (returnUrl.Success)
        {
            fields["ReturnUrl"] = WebUtility.HtmlDecode(returnUrl.Groups[1].Value);
        }

        return await SubmitFormAsync(loginUrl, html, fields);
    }

    public static string AuthorizeUrl(string clientId, string redirectUri, Pkce? pkce, string scope = "openid email profile offline_access", string? state = null, string? nonce = null, IDictionary<string, string?>? extra = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = redirectUri,
            ["scope"] = scope,
            ["state"] = state ?? Guid.NewGuid().ToString("N"),
            ["nonce"] = nonce ?? Guid.NewGuid().ToString("N"),
        };
        if (pkce is not null)
        {
            query["code_challenge"] = pkce.Challenge;
            query["code_challenge_method"] = "S256";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            query[key] = value;
        }

        return QueryHelpers.AddQueryString("/connect/authorize", query);
    }

    /// <summary>
    /// Runs authorize → (login when asked) → redirect to the RP, and returns the RP callback URL.
    /// </summary>
    public async Task<Uri> AuthorizeAsync(string authorizeUrl, TestUser? user)
    {
        var response = await http.GetAsync(authorizeUrl);
        var location = Location(response);
        if (location.AbsolutePath.Equals("/Account/Login", StringComparison.OrdinalIgnoreCase))
        {
            Assert.That(user, Is.Not.Null, "the server asked for a login");
            var loginUrl = location.PathAndQuery;
            var posted = await LoginAsync(loginUrl, user!.Email, user.Password);
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), await posted.Content.ReadAsStringAsync());
            response = await http.GetAsync(Location(posted).PathAndQuery);
            location = Location(response);
        }

        return location;
    }

    public static Uri Location(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect).Or.EqualTo(HttpStatusCode.Found), () => $"expected a redirect, got {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
        var location = response.Headers.Location!;
        return location.IsAbsoluteUri ? location : new Uri(new Uri("https://localhost"), location);
    }

    public static IDictionary<string, string> Query(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>Posts to the token endpoint and returns status and JSON.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Json)> TokenAsync(IDictionary<string, string> form)
    {
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, json);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"ReturnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlField();
}
