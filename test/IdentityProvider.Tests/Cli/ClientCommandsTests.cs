using IdentityProvider.Clients;
using IdentityProvider.Common;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Tests.Cli;

/// <summary><c>clients add|list|remove</c> in process, on the same services as the running server.</summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class ClientCommandsTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task Add_ConfidentialWithoutSecret_PrintsGeneratedSecretOnce()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", "http://127.0.0.1:7000/cb");

        var secretLine = result.OutputLines.Single(l => l.StartsWith("client_secret: ", StringComparison.Ordinal));
        var secret = secretLine["client_secret: ".Length..];
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain($"client '{clientId}' registered (confidential; scopes: openid email offline_access profile; ID tokens: RS256)"));
            Assert.That(secret, Has.Length.GreaterThanOrEqualTo(ClientRegistry.MinimumSecretLength));
            Assert.That(result.Output, Does.Contain("will not be shown again"));
        });
        Assert.That(await ValidatesSecretAsync(clientId, secret), Is.True, "the printed secret is the stored one");
    }

    [Test]
    public async Task Add_WithGivenSecret_DoesNotEchoIt()
    {
        var clientId = UniqueClientId();
        var secret = "given-secret-" + Guid.NewGuid().ToString("N");

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--secret", secret, "--scope", "idp.admin");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Not.Contain(secret));
            Assert.That(result.Output, Does.Contain("scopes: openid idp.admin"));
        });
        Assert.That(await ValidatesSecretAsync(clientId, secret), Is.True);
    }

    [Test]
    public async Task Add_Public_RegistersPublicClientThatMustUsePkce()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--public", "--redirect-uri", "com.example.app:/oauth2redirect",
            "--post-logout-redirect-uri", "com.example.app:/signedout", "--scope", "openid", "profile");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var summary = await GetAsync(clientId);
        var requiresPkce = await Host.InScopeAsync(async services =>
        {
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            var application = await applications.FindByClientIdAsync(clientId);
            return await applications.HasRequirementAsync(application!, Requirements.Features.ProofKeyForCodeExchange);
        });
        Assert.Multiple(() =>
        {
            Assert.That(result.Output, Does.Not.Contain("client_secret"));
            Assert.That(summary.ClientType, Is.EqualTo(ClientTypes.Public));
            Assert.That(summary.RedirectUris, Is.EqualTo(new[] { "com.example.app:/oauth2redirect" }));
            Assert.That(summary.PostLogoutRedirectUris, Is.EqualTo(new[] { "com.example.app:/signedout" }));
            Assert.That(summary.Scopes, Is.EqualTo(new[] { "openid", "profile" }), "several values after one --scope");
            Assert.That(requiresPkce, Is.True);
        });
    }

    [Test]
    public async Task List_ShowsClientWithTypeRedirectUrisAndScopesButNoSecret()
    {
        var clientId = UniqueClientId();
        var secret = "listed-secret-" + Guid.NewGuid().ToString("N");
        await RunAsync("clients", "add", "--client-id", clientId, "--secret", secret, "--redirect-uri", "https://b.example/cb", "--redirect-uri", "https://a.example/cb");

        var result = await RunAsync("clients", "list");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.OutputLines, Has.One.EqualTo(
                $"{clientId}\tconfidential\tredirect_uris=https://a.example/cb,https://b.example/cb\tscopes=openid email offline_access profile\tid_token_signed_response_alg=RS256\tallowed_origins="));
            Assert.That(result.Output, Does.Not.Contain(secret));
        });
    }

    [Test]
    public async Task Add_IdTokenSignedResponseAlgEs256_IsRecordedAndListed()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--public", "--redirect-uri", "http://127.0.0.1:7000/cb",
            "--id-token-signed-response-alg", "ES256");
        var list = await RunAsync("clients", "list");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain("ID tokens: ES256"));
            Assert.That(list.OutputLines.Single(l => l.StartsWith(clientId + "\t", StringComparison.Ordinal)), Does.Contain("\tid_token_signed_response_alg=ES256\t"));
        });
        Assert.That((await GetAsync(clientId)).IdTokenSignedResponseAlg, Is.EqualTo("ES256"));
    }

    [Test]
    public async Task Add_UnknownIdTokenSignedResponseAlg_FailsAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--public", "--redirect-uri", "http://127.0.0.1:7000/cb",
            "--id-token-signed-response-alg", "HS256");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { "error: --id-token-signed-response-alg: must be one of RS256, ES256, not 'HS256'." }));
        });
        Assert.That(async () => await GetAsync(clientId), Throws.InstanceOf<RequestRejectedException>());
    }

    [Test]
    public async Task Remove_ExistingClient_RemovesIt()
    {
        var clientId = UniqueClientId();
        await RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", "https://app.example/cb");

        var result = await RunAsync("clients", "remove", "--client-id", clientId);

        var clientIds = await ClientIdsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain($"client '{clientId}' removed"));
            Assert.That(clientIds, Does.Not.Contain(clientId));
        });
    }

    [Test]
    public async Task Remove_UnknownClient_ExitsTwoWithOneLine()
    {
        var result = await RunAsync("clients", "remove", "--client-id", UniqueClientId());

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
            Assert.That(result.Error, Does.Contain("No client with client_id"));
        });
    }

    [Test]
    public async Task Add_DuplicateClientId_ExitsTwoAndKeepsTheFirstRegistration()
    {
        var clientId = UniqueClientId();
        await RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", "https://first.example/cb");

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--public", "--redirect-uri", "https://second.example/cb");

        var summary = await GetAsync(clientId);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"error: A client with client_id '{clientId}' already exists." }));
            Assert.That(summary.RedirectUris, Is.EqualTo(new[] { "https://first.example/cb" }));
            Assert.That(summary.ClientType, Is.EqualTo(ClientTypes.Confidential));
        });
    }

    [TestCase("not a uri", TestName = "Add_RedirectUriNotAUri_IsRejected")]
    [TestCase("/relative/cb", TestName = "Add_RedirectUriRelative_IsRejected")]
    [TestCase("https://app.example/cb#fragment", TestName = "Add_RedirectUriWithFragment_IsRejected")]
    [TestCase("http://app.example/cb", TestName = "Add_RedirectUriPlainHttpNotLoopback_IsRejected")]
    [TestCase("http://localhost.evil.example/cb", TestName = "Add_RedirectUriPlainHttpLookalikeLoopback_IsRejected")]
    [TestCase("javascript:alert(1)", TestName = "Add_RedirectUriJavascriptScheme_IsRejected")]
    public async Task Add_MalformedRedirectUri_ExitsTwoAndRegistersNothing(string redirectUri)
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", redirectUri);

        await AssertRejectedAsync(result, 2, clientId, "redirect URI");
    }

    [Test]
    public async Task Add_MalformedPostLogoutRedirectUri_ExitsTwoAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", "https://app.example/cb", "--post-logout-redirect-uri", "http://app.example/");

        await AssertRejectedAsync(result, 2, clientId, "post-logout redirect URI");
    }

    [TestCase("http://127.0.0.1:7000/cb")]
    [TestCase("http://localhost:7000/cb")]
    [TestCase("http://[::1]:7000/cb")]
    [TestCase("https://app.example/cb?tenant=a")]
    public async Task Add_AllowedRedirectUri_IsAccepted(string redirectUri)
    {
        var result = await RunAsync("clients", "add", "--client-id", UniqueClientId(), "--redirect-uri", redirectUri);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }

    [Test]
    public async Task Add_PublicWithSecret_ExitsTwoAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--public", "--secret", new string('s', 40), "--redirect-uri", "https://app.example/cb");

        await AssertRejectedAsync(result, 2, clientId, "--secret: a public client has no secret");
    }

    [Test]
    public async Task Add_ShortSecret_ExitsTwoAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--secret", "short-secret");

        await AssertRejectedAsync(result, 2, clientId, "at least 32 characters");
    }

    [Test]
    public async Task Add_UnknownScope_ExitsTwoAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", "https://app.example/cb", "--scope", "openid", "files.write");

        await AssertRejectedAsync(result, 2, clientId, "--scope: unknown scope 'files.write'");
    }

    [Test]
    public async Task Add_PublicWithAdminScope_ExitsTwoAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--public", "--redirect-uri", "https://app.example/cb", "--scope", "idp.admin");

        await AssertRejectedAsync(result, 2, clientId, "confidential clients only");
    }

    [Test]
    public async Task Add_PublicWithoutRedirectUri_ExitsTwoAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        var result = await RunAsync("clients", "add", "--client-id", clientId, "--public");

        await AssertRejectedAsync(result, 2, clientId, "--redirect-uri: a public client needs at least one redirect URI");
    }

    [TestCase("has space")]
    [TestCase("slash/in/id")]
    public async Task Add_InvalidClientId_ExitsTwoAndRegistersNothing(string clientId)
    {
        var result = await RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", "https://app.example/cb");

        await AssertRejectedAsync(result, 2, clientId, "--client-id: must be 1-100 characters");
    }

    [Test]
    public async Task Add_WithoutClientId_ExitsOneWithOneLine()
    {
        var before = await ClientIdsAsync();

        var result = await RunAsync("clients", "add", "--redirect-uri", "https://app.example/cb");

        var after = await ClientIdsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { "Option '--client-id' is required." }));
            Assert.That(after, Is.EqualTo(before));
        });
    }

    [Test]
    public async Task UnknownSubcommand_ExitsOneWithOneLine()
    {
        var result = await RunAsync("clients", "rename", "--client-id", "x");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
        });
    }

    private Task<CommandResult> RunAsync(params string[] args) => OperatorCli.RunAsync(Host, args);

    private async Task AssertRejectedAsync(CommandResult result, int exitCode, string clientId, string reason)
    {
        var clientIds = await ClientIdsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.Error, Does.StartWith("error: ").And.Contain(reason));
            Assert.That(result.Output, Is.Empty);
            Assert.That(clientIds, Does.Not.Contain(clientId));
        });
    }

    private Task<ClientSummary> GetAsync(string clientId) =>
        Host.InScopeAsync(services => services.GetRequiredService<ClientRegistry>().GetAsync(clientId));

    private Task<List<string>> ClientIdsAsync() =>
        Host.InScopeAsync(async services => (await services.GetRequiredService<ClientRegistry>().ListAsync()).Select(c => c.ClientId).ToList());

    private Task<bool> ValidatesSecretAsync(string clientId, string secret) => Host.InScopeAsync(async services =>
    {
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        return await applications.ValidateClientSecretAsync((await applications.FindByClientIdAsync(clientId))!, secret);
    });

    private static string UniqueClientId() => "cli-" + Guid.NewGuid().ToString("N")[..12];
}
