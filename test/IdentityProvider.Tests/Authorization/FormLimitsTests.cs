using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Authorization;

/// <summary>Hostile form bodies get 400/413/415 — JSON at the protocol endpoints, the error page on pages — never a 500.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class FormLimitsTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    public static IEnumerable<TestCaseData> HostileBodies()
    {
        yield return new TestCaseData("a 3,000-character key", Utf8(new string('k', 3_000) + "=v&grant_type=client_credentials"), HttpStatusCode.BadRequest);
        yield return new TestCaseData("a NUL byte", Utf8("grant_type=client_credentials&client_id=a%00b"), HttpStatusCode.BadRequest);
        yield return new TestCaseData("1,025 fields", Utf8(string.Join('&', Enumerable.Range(0, 1_025).Select(i => $"f{i}=1"))), HttpStatusCode.BadRequest);
        yield return new TestCaseData("a 4 MB value", Utf8("grant_type=client_credentials&v=" + new string('x', 4 * 1024 * 1024 + 1)), HttpStatusCode.RequestEntityTooLarge);
        yield return new TestCaseData("invalid UTF-8", new byte[] { (byte)'a', (byte)'=', 0xC3, 0x28, 0xFF }, HttpStatusCode.BadRequest);
    }

    [TestCaseSource(nameof(HostileBodies))]
    public async Task Token_HostileFormBody_IsAJsonOAuthError(string what, byte[] body, HttpStatusCode expected)
    {
        using var browser = Host.CreateBrowser();

        using var response = await browser.Http.PostAsync("/connect/token", Form(body));

        Assert.That(response.StatusCode, Is.EqualTo(expected), what);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), what);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
    }

    [TestCaseSource(nameof(HostileBodies))]
    public async Task LoginPage_HostileFormBody_IsTheErrorPage(string what, byte[] body, HttpStatusCode expected)
    {
        using var browser = Host.CreateBrowser();

        using var response = await browser.Http.PostAsync("/Account/Login", Form(body));

        Assert.That(response.StatusCode, Is.EqualTo(expected), what);
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("id=\"error-message\""), what);
        Assert.That(html, Does.Not.Contain("Exception").And.Not.Contain("   at "), what);
    }

    [Test]
    public async Task Token_MultipartBody_Is415()
    {
        using var browser = Host.CreateBrowser();
        using var content = new MultipartFormDataContent { { new StringContent("client_credentials"), "grant_type" } };

        using var response = await browser.Http.PostAsync("/connect/token", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_request"));
    }

    [Test]
    public async Task Token_WrongContentType_IsAJsonOAuthError()
    {
        using var browser = Host.CreateBrowser();

        using var response = await browser.Http.PostAsync("/connect/token", new StringContent("{\"grant_type\":\"client_credentials\"}", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }

    [Test]
    public async Task AdminApi_HostileFormBody_IsProblemDetails()
    {
        using var browser = Host.CreateBrowser();

        using var response = await browser.Http.PostAsync("/admin/api/clients", Form(Utf8("a=%00")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    private static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value);

    private static ByteArrayContent Form(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }
}
