using System.Net;
using System.Text;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Authorization;

/// <summary>Only a valid id_token_hint of the session's own user skips the logout confirmation.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class EndSessionHintTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task EndSession_GarbageHint_DoesNotSignOutSilently()
    {
        var (browser, clientId) = await SignedInAsync();
        using (browser)
        {
            using var response = await browser.GetAsync("/connect/endsession?id_token_hint=garbage.garbage.garbage");

            await AssertStillSignedInAsync(browser, clientId, response);
        }
    }

    [Test]
    public async Task EndSession_UnsignedAlgNoneHint_DoesNotSignOutSilently()
    {
        var (browser, clientId) = await SignedInAsync();
        using (browser)
        {
            var idToken = await IdTokenOfAnotherSessionAsync(clientId);
            var payload = idToken.Split('.')[1];
            var header = Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
            using var response = await browser.GetAsync($"/connect/endsession?id_token_hint={header}.{payload}.");

            await AssertStillSignedInAsync(browser, clientId, response);
        }
    }

    [Test]
    public async Task EndSession_AnotherUsersValidHint_AsksForConfirmation()
    {
        var (browser, clientId) = await SignedInAsync();
        using (browser)
        {
            var idToken = await IdTokenOfAnotherSessionAsync(clientId);
            using var response = await browser.GetAsync(
                $"/connect/endsession?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString(PostLogoutRedirectUri)}");

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("id=\"logout-submit\""));
            await AssertStillSignedInAsync(browser, clientId, response: null);
        }
    }

    private async Task<(TestBrowser Browser, string ClientId)> SignedInAsync()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        return (browser, clientId);
    }

    private async Task<string> IdTokenOfAnotherSessionAsync(string clientId)
    {
        var other = await Host.CreateUserAsync();
        using var otherBrowser = Host.CreateBrowser();
        return (await SignInAsync(otherBrowser, clientId, other)).GetProperty("id_token").GetString()!;
    }

    private async Task AssertStillSignedInAsync(TestBrowser browser, string clientId, HttpResponseMessage? response)
    {
        if (response is not null)
        {
            Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.Redirect).And.Not.EqualTo(HttpStatusCode.Found), "no logout redirect");
            Assert.That((int)response.StatusCode, Is.LessThan(500));
        }

        using var again = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        Assert.That(TestBrowser.Location(again).GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri), "the session is still there");
    }

    private static string Base64Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
