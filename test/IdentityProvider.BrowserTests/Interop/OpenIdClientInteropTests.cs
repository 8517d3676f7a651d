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
        var user = await Idp.CreateUserAsync();
        var clientId = "openid-client-" + Guid.NewGuid().ToString("N")[..8];
        var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        const string redirectUri = "http://127.0.0.1:7000/callback";
        const string postLogoutUri = "http://127.0.0.1:7000/bye";
        await Idp.RegisterClientAsync(new ClientRegistration
        {
            ClientId = clientId, Secret = secret, RedirectUris = [redirectUri], PostLogoutRedirectUris = [postLogoutUri],
        });

        await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], new Dictionary<string, string>());
        var output = await RunAsync("node", ["flow.mjs"], new Dictionary<string, string>
        {
            ["IDP_ISSUER"] = Idp.BaseAddress.ToString(),
            ["RP_CLIENT_ID"] = clientId,
            ["RP_CLIENT_SECRET"] = secret,
            ["RP_REDIRECT_URI"] = redirectUri,
            ["RP_POST_LOGOUT_URI"] = postLogoutUri,
            ["USER_EMAIL"] = user.Email,
            ["USER_PASSWORD"] = user.Password,
        });

        var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(result.GetProperty("idToken").GetProperty("email").GetString(), Is.EqualTo(user.Email));
            Assert.That(result.GetProperty("idToken").GetProperty("amr")[0].GetString(), Is.EqualTo("pwd"));
            Assert.That(result.GetProperty("userInfo").GetProperty("login_method").GetString(), Is.EqualTo("Password"));
            Assert.That(result.GetProperty("refreshRotated").GetBoolean(), Is.True);
            Assert.That(result.GetProperty("oldRefreshRejected").GetBoolean(), Is.True);
            Assert.That(result.GetProperty("introspection").GetProperty("active").GetBoolean(), Is.True);
            Assert.That(result.GetProperty("endSessionRedirect").GetString(), Is.EqualTo(postLogoutUri + "?state=bye"));
            Assert.That(result.GetProperty("clientCredentials").GetProperty("tokenType").GetString(), Is.EqualTo("bearer").IgnoreCase);
        });
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
