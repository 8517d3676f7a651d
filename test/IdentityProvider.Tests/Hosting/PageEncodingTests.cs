using System.Net;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// Pages write Japanese as characters, not numeric character references, while whatever a request
/// puts on a page stays HTML-encoded (finding 16 of the hardening issue).
/// </summary>
[TestFixture]
public sealed class PageEncodingTests
{
    private IdpTestHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite);

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    [TestCase("/Account/Login", "メールアドレス")]
    [TestCase("/Account/ForgotPassword", "パスワードリセット")]
    [TestCase("/no/such/page", "お探しのページが見つかりません。")]
    public async Task JapanesePage_HasItsTextAsCharacters_AndNoNumericReferences(string path, string text)
    {
        using var http = host.CreateClient();

        using var response = await http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain(text), "the literal text, not &#x…; references");
            Assert.That(html, Does.Not.Contain("&#x"));
        });
    }

    [Test]
    public async Task ScriptInTheLoginEmail_IsShownBackEncoded()
    {
        const string payload = "\"><script>alert('x')</script>＜日本語＞@example.jp";
        using var browser = host.CreateBrowser();

        using var response = await browser.LoginAsync("/Account/Login", payload, "whatever-password");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the form again, with its error");
            Assert.That(html, Does.Not.Contain("<script>alert"));
            Assert.That(html, Does.Contain("&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;＜日本語＞@example.jp"));
        });
    }
}
