using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Tests.Clients;

/// <summary>
/// Client secrets are stored as a keyed hash (fast to check on every token request); secrets
/// stored by OpenIddict's default PBKDF2 before keep working and are re-hashed on first use.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class ClientSecretTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task Register_StoresTheSecretAsKeyedHash()
    {
        var (clientId, secret) = await RegisterAsync();

        var stored = await StoredSecretAsync(clientId);

        Assert.Multiple(() =>
        {
            Assert.That(stored, Does.StartWith(ClientSecretHash.Prefix));
            Assert.That(stored, Does.Not.Contain(secret));
        });
    }

    [Test]
    public async Task ClientCredentials_WithKeyedHashSecret_IssuesToken_WrongSecretIsRefused()
    {
        var (clientId, secret) = await RegisterAsync();
        using var browser = Host.CreateBrowser();

        var (ok, _) = await TokenAsync(browser, clientId, secret);
        var (wrong, json) = await TokenAsync(browser, clientId, secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'));

        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(wrong, Is.EqualTo(HttpStatusCode.Unauthorized).Or.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public async Task ClientCredentials_WithLegacyPbkdf2Secret_Succeeds_AndIsRehashed()
    {
        var (clientId, secret) = await RegisterAsync();
        await SetStoredSecretAsync(clientId, LegacyPbkdf2(secret));
        using var browser = Host.CreateBrowser();

        var (wrong, _) = await TokenAsync(browser, clientId, "wrong-" + secret);
        var afterWrong = await StoredSecretAsync(clientId);
        var (first, _) = await TokenAsync(browser, clientId, secret);
        var afterFirst = await StoredSecretAsync(clientId);
        var (second, _) = await TokenAsync(browser, clientId, secret);

        Assert.Multiple(() =>
        {
            Assert.That(wrong, Is.Not.EqualTo(HttpStatusCode.OK));
            Assert.That(afterWrong, Does.Not.StartWith(ClientSecretHash.Prefix), "a wrong secret changes nothing");
            Assert.That(first, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(afterFirst, Does.StartWith(ClientSecretHash.Prefix), "re-hashed on the first success");
            Assert.That(second, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task ClientCredentials_WithMalformedStoredSecret_IsRefusedNotAnError()
    {
        var (clientId, secret) = await RegisterAsync();
        await SetStoredSecretAsync(clientId, ClientSecretHash.Prefix + "garbage");
        using var browser = Host.CreateBrowser();

        var (status, _) = await TokenAsync(browser, clientId, secret);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized).Or.EqualTo(HttpStatusCode.BadRequest));
    }

    /// <summary>OpenIddict 7's default format: 0x01, PRF (1 = SHA-256), iterations, salt length, salt, subkey.</summary>
    private static string LegacyPbkdf2(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var subkey = Rfc2898DeriveBytes.Pbkdf2(secret, salt, 10_000, HashAlgorithmName.SHA256, 32);
        var bytes = new byte[13 + salt.Length + subkey.Length];
        bytes[0] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1, 4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(5, 4), 10_000);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(9, 4), (uint)salt.Length);
        salt.CopyTo(bytes, 13);
        subkey.CopyTo(bytes, 13 + salt.Length);
        return Convert.ToBase64String(bytes);
    }

    private async Task<(string ClientId, string Secret)> RegisterAsync()
    {
        var clientId = "cc-" + Guid.NewGuid().ToString("N")[..12];
        var registered = await Host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Scopes = ["idp.admin"] });
        return (clientId, registered.Secret!);
    }

    private static async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Json)> TokenAsync(TestBrowser browser, string clientId, string secret) =>
        await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        });

    private Task<string?> StoredSecretAsync(string clientId) => Host.InScopeAsync(services =>
        services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking()
            .Where(a => a.ClientId == clientId).Select(a => a.ClientSecret).SingleAsync());

    private Task<int> SetStoredSecretAsync(string clientId, string value) => Host.InScopeAsync(services =>
        services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreApplication>()
            .Where(a => a.ClientId == clientId).ExecuteUpdateAsync(s => s.SetProperty(a => a.ClientSecret, value)));
}
