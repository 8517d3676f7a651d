using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Hosting;

/// <summary>Start-up, configuration and the headers and language of the hosted pages.</summary>
public sealed class HostingTests
{
    [Test]
    public async Task ConfiguredIssuer_IsPublishedWhateverHostTheRequestNames()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Oidc:Issuer"] = "https://login.example.jp/" });
        using var http = host.CreateClient();

        var discovery = JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.That(discovery.GetProperty("issuer").GetString(), Is.EqualTo("https://login.example.jp/"));
    }

    [Test]
    public async Task PendingMigrations_WithoutMigrateOnStart_StopTheServerWithAClearMessage()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var host = IdpTestHost.Unstarted(database, new Dictionary<string, string?> { ["Database:MigrateOnStart"] = "false" });

        var error = Assert.Throws<InvalidOperationException>(() => _ = host.Services);

        Assert.That(error!.Message, Does.Contain("migrate"));
    }

    [Test]
    public async Task UnknownDatabaseProvider_StopsTheServerAtStart()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var host = IdpTestHost.Unstarted(database, new Dictionary<string, string?> { ["Database:Provider"] = "Oracle" });

        Assert.That(() => _ = host.Services, Throws.InstanceOf<Exception>().With.Message.Contains("Oracle").Or.Message.Contains("Provider"));
    }

    [Test]
    public async Task LoginPage_IsJapaneseByDefault_EnglishForUiLocalesOrAcceptLanguage_AndCannotBeFramed()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite);
        using var http = host.CreateClient();

        using var japanese = await http.GetAsync("/Account/Login");
        var html = await japanese.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("<html lang=\"ja\">"));
            Assert.That(WebUtility.HtmlDecode(html), Does.Contain("メールアドレス"));
            Assert.That(japanese.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
            Assert.That(japanese.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("frame-ancestors 'none'"));
            Assert.That(japanese.Headers.CacheControl?.NoStore, Is.True);
        });

        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.AcceptLanguage.ParseAdd("en-US,en;q=0.9");
        using var english = await http.SendAsync(request);
        Assert.That(await english.Content.ReadAsStringAsync(), Does.Contain("Email address"));

        var returnUrl = Uri.EscapeDataString("/connect/authorize?client_id=x&ui_locales=en");
        using var byUiLocales = await http.GetAsync($"/Account/Login?ReturnUrl={returnUrl}");
        Assert.That(await byUiLocales.Content.ReadAsStringAsync(), Does.Contain("<html lang=\"en\">"));
    }

    [Test]
    public async Task UnknownPage_ShowsTheErrorPageWith404()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite);
        using var http = host.CreateClient();

        using var response = await http.GetAsync("/no/such/page");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("id=\"error-message\""));
    }
}
