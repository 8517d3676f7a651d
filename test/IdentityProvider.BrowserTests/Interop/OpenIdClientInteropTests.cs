using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using IdentityProvider.Clients;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.BrowserTests.Interop;

/// <summary>
/// Interoperability with panva/openid-client (Node.js), a certified and strict relying-party library:
/// test/interop/openid-client/flow.mjs runs the whole protocol surface against the IdP on Kestrel.
/// Node.js 20+ and the npm registry are needed (npm ci of a pinned lock file).
/// </summary>
public sealed class OpenIdClientInteropTests : Infrastructure.BrowserFixture
{
    private static readonly string ScriptFolder = Path.GetFullPath(Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "interop", "openid-client"));

    [Test]
    public async Task OpenIdClient_RunsCodeFlowUserInfoRefreshIntrospectionLogoutAndClientCredentials()
    {
        var (user, result) = await RunFlowAsync(idTokenAlgorithm: null);

        Assert.Multiple(() =>
        {
            Assert.That(result.GetProperty("idToken").GetProperty("email").GetString(), Is.EqualTo(user.Email));
            Assert.That(result.GetProperty("idToken").GetProperty("amr")[0].GetString(), Is.EqualTo("pwd"));
            Assert.That(result.GetProperty("idTokenAlg").GetString(), Is.EqualTo("RS256"), "the default every relying party accepts");
            Assert.That(result.GetProperty("userInfo").GetProperty("login_method").GetString(), Is.EqualTo("Password"));
            Assert.That(result.GetProperty("refreshRotated").GetBoolean(), Is.True);
            Assert.That(result.GetProperty("oldRefreshRejected").GetBoolean(), Is.True);
            Assert.That(result.GetProperty("introspection").GetProperty("active").GetBoolean(), Is.True);
            Assert.That(result.GetProperty("endSessionRedirect").GetString(), Is.EqualTo(PostLogoutUri + "?state=bye"));
            Assert.That(result.GetProperty("clientCredentials").GetProperty("tokenType").GetString(), Is.EqualTo("bearer").IgnoreCase);
        });
    }

    /// <summary>
    /// A client registered with <c>id_token_signed_response_alg=ES256</c>: openid-client, told the same,
    /// refuses any ID token of another algorithm, on the code grant and on refresh, and the ES256 ID
    /// token is accepted back as the logout hint.
    /// </summary>
    [Test]
    public async Task OpenIdClient_RegisteredForEs256IdTokens_AcceptsThemOnCodeAndRefreshAndAsLogoutHint()
    {
        var (user, result) = await RunFlowAsync(idTokenAlgorithm: "ES256");

        Assert.Multiple(() =>
        {
            Assert.That(result.GetProperty("idToken").GetProperty("email").GetString(), Is.EqualTo(user.Email));
            Assert.That(result.GetProperty("idTokenAlg").GetString(), Is.EqualTo("ES256"));
            Assert.That(result.GetProperty("refreshedIdTokenAlg").GetString(), Is.EqualTo("ES256"));
            Assert.That(result.GetProperty("endSessionRedirect").GetString(), Is.EqualTo(PostLogoutUri + "?state=bye"));
        });
    }

    private Task<string>? npmInstalled;

    private const string RedirectUri = "http://127.0.0.1:7000/callback";
    private const string PostLogoutUri = "http://127.0.0.1:7000/bye";

    private async Task<(IdentityProvider.Tests.Infrastructure.TestUser User, JsonElement Result)> RunFlowAsync(string? idTokenAlgorithm)
    {
        var user = await Idp.CreateUserAsync();
        var clientId = "openid-client-" + Guid.NewGuid().ToString("N")[..8];
        var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await Idp.RegisterClientAsync(new ClientRegistration
        {
            ClientId = clientId, Secret = secret, RedirectUris = [RedirectUri], PostLogoutRedirectUris = [PostLogoutUri],
            IdTokenSignedResponseAlg = idTokenAlgorithm,
        });

        // Once per fixture: npm ci removes and reinstalls node_modules every time it runs.
        await (npmInstalled ??= RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], new Dictionary<string, string>()));
        var environment = new Dictionary<string, string>
        {
            ["IDP_ISSUER"] = Idp.BaseAddress.ToString(),
            ["RP_CLIENT_ID"] = clientId,
            ["RP_CLIENT_SECRET"] = secret,
            ["RP_REDIRECT_URI"] = RedirectUri,
            ["RP_POST_LOGOUT_URI"] = PostLogoutUri,
            ["USER_EMAIL"] = user.Email,
            ["USER_PASSWORD"] = user.Password,
        };
        if (idTokenAlgorithm is not null)
        {
            environment["RP_ID_TOKEN_ALG"] = idTokenAlgorithm;
        }

        var output = await RunAsync("node", ["flow.mjs"], environment);
        return (user, JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement);
    }

    private static async Task<string> RunAsync(string program, string[] arguments, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = ScriptFolder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' is not installed: this test needs Node.js 20+ and npm.", e);
        }

        using (process)
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', arguments)} failed:\n{await stderr}\n{await stdout}");
            return await stdout;
        }
    }
}
