using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IdentityProvider.Clients;
using IdentityProvider.Common;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// <c>DataProtection:Certificate</c> encrypts the Data Protection key ring stored in the database
/// (which protects sessions and the stored signing keys); without it a start outside Development
/// warns once.
/// </summary>
[TestFixture]
public sealed class DataProtectionTests
{
    private const string RedirectUri = "http://127.0.0.1:7000/cb";
    private const string Password = "pfx-password-for-tests";
    private string folder = null!;

    [OneTimeSetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("idp-dp-").FullName;

    [OneTimeTearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    [Test]
    public async Task WithACertificate_TheStoredKeysAreEncrypted_AndASessionSurvivesARestart()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var settings = CertificateSettings(CreatePfx("current"));
        var (cookies, clientId) = await SignInOnANodeAsync(database, settings);

        await using var restarted = IdpTestHost.StartNode(database, settings);
        var keys = await KeyXmlAsync(restarted);
        var answer = await AuthorizeWithoutPromptAsync(restarted, cookies, clientId);

        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.Not.Empty);
            Assert.That(keys, Is.All.Contain("EncryptedData").And.Not.Contain("<masterKey"), "the key material is encrypted");
            Assert.That(answer, Does.ContainKey("code"), "the restarted server reads the session it protected before");
            Assert.That(restarted.Log.Lines, Has.None.Contains("DataProtection:Certificate is not set"));
        });
    }

    [Test]
    public async Task AfterARotation_KeysOfThePreviousCertificateStillDecrypt()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var previous = CreatePfx("previous");
        var (cookies, clientId) = await SignInOnANodeAsync(database, CertificateSettings(previous));

        var rotated = CertificateSettings(CreatePfx("next"));
        rotated["DataProtection:PreviousCertificates:0:Certificate"] = previous;
        rotated["DataProtection:PreviousCertificates:0:Password"] = Password;
        await using var restarted = IdpTestHost.StartNode(database, rotated);

        Assert.That(await AuthorizeWithoutPromptAsync(restarted, cookies, clientId), Does.ContainKey("code"));
    }

    [Test]
    public async Task WithoutACertificate_OutsideDevelopment_TheKeysAreInClear_AndTheStartWarnsOnce()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite);

        var keys = await KeyXmlAsync(host);

        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.All.Contain("<masterKey"));
            Assert.That(host.Log.Lines.Count(l => l.Contains("DataProtection:Certificate is not set", StringComparison.Ordinal)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task WrongPassword_StopsTheStart_NamingTheKey()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseKind.Sqlite);
        var settings = CertificateSettings(CreatePfx("wrong-password"));
        settings["DataProtection:CertificatePassword"] = "not-the-password";
        await using var host = IdpTestHost.Unstarted(database, settings);

        Assert.That(() => _ = host.Services, Throws.InstanceOf<StartupConfigurationException>().With.Message.StartsWith("DataProtection:Certificate: cannot read the PFX file"));
    }

    private static Dictionary<string, string?> CertificateSettings(string pfx) => new()
    {
        ["DataProtection:Certificate"] = pfx,
        ["DataProtection:CertificatePassword"] = Password,
    };

    /// <summary>A node signs a user in and is stopped; returns the browser's cookies and a client registered there.</summary>
    private static async Task<(System.Net.CookieContainer Cookies, string ClientId)> SignInOnANodeAsync(TestDatabase database, Dictionary<string, string?> settings)
    {
        await using var first = IdpTestHost.StartNode(database, settings);
        var user = await first.CreateUserAsync();
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..10];
        await first.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Public = true, RedirectUris = [RedirectUri] });
        using var browser = first.CreateBrowser();
        using var signedIn = await browser.LoginAsync("/Account/Login", user.Email, user.Password);
        Assert.That(signedIn.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Redirect), "signed in");
        return (browser.Cookies, clientId);
    }

    private static async Task<IDictionary<string, string>> AuthorizeWithoutPromptAsync(IdpTestHost host, System.Net.CookieContainer cookies, string clientId)
    {
        using var browser = new TestBrowser(host, cookies);
        using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create(), scope: "openid",
            extra: new Dictionary<string, string?> { ["prompt"] = "none" }));
        return TestBrowser.Query(TestBrowser.Location(response));
    }

    private static Task<List<string>> KeyXmlAsync(IdpTestHost host) =>
        host.InScopeAsync(async services => await services.GetRequiredService<IdpDbContext>().DataProtectionKeys.Select(k => k.Xml!).ToListAsync());

    private string CreatePfx(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN=idp-data-protection-{name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
