namespace IdentityProvider.Tests.Cli;

/// <summary>
/// Issue 20, finding 14, at the terminal: the real executable refuses what the admin API refuses
/// (the rules are in the services both call), with exit code 2 and one line on standard error that
/// names the flag the operator typed, never the admin API's JSON field; malformed arguments exit 1.
/// Nothing is written either way.
/// </summary>
[TestFixture]
public sealed class CliInputTests
{
    private const string Tenant = "cli-input";
    private ExecutableRunner runner = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        runner = new ExecutableRunner();
        var created = await runner.RunAsync("tenants", "create", "--name", Tenant, "--plan", "Basic", "--holder-email", "holder@cli-input.test");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
    }

    [OneTimeTearDown]
    public void Stop() => runner.Dispose();

    private static IEnumerable<TestCaseData> RefusedRequests()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var redirect = new[] { "--redirect-uri", "https://app.example/cb" };
        yield return Case("tenant name ../x", "--name: '../x' is not a tenant name", "tenants", "create", "--name", "../x", "--plan", "Basic", "--holder-email", $"h-{id}@x.test");
        yield return Case("tenant name with upper case", "--name: 'Acme' is not a tenant name", "tenants", "create", "--name", "Acme", "--plan", "Basic", "--holder-email", $"h-{id}@x.test");
        yield return Case("holder e-mail without domain", "--holder-email: 'h@' is not a valid e-mail address", "tenants", "create", "--name", $"ok-{id}", "--plan", "Basic", "--holder-email", "h@");
        yield return Case("display name of 201 characters", "--display-name: a display name is at most 200 characters", "users", "create", "--tenant", Tenant, "--email", $"u-{id}@x.test", "--password", "Kumo-Sora-2026!x", "--display-name", new string('名', 201));
        yield return Case("display name with a bidi override", "--display-name: a display name must not contain control", "users", "create", "--tenant", Tenant, "--email", $"u-{id}@x.test", "--password", "Kumo-Sora-2026!x", "--display-name", "山田\u202E郎太");
        yield return Case("redirect URI with user info", "--redirect-uri: the redirect URI 'https://user:pw@app.example/cb' must not contain a user name or password", "clients", "add", "--client-id", $"c-{id}", "--redirect-uri", "https://user:pw@app.example/cb");
        yield return Case("21 redirect URIs", "--redirect-uri: at most 20 redirect URIs, not 21", ["clients", "add", "--client-id", $"c-{id}", .. Enumerable.Range(0, 21).SelectMany(i => new[] { "--redirect-uri", $"https://app.example/{i}" })]);
        yield return Case("post-logout URI with a fragment", "--post-logout-redirect-uri: the post-logout redirect URI", ["clients", "add", "--client-id", $"c-{id}", .. redirect, "--post-logout-redirect-uri", "https://app.example/#x"]);
        yield return Case("allowed origin with a path", "--allowed-origin: 'https://spa.example/app' is not an origin", ["clients", "add", "--client-id", $"c-{id}", "--public", .. redirect, "--allowed-origin", "https://spa.example/app"]);
        yield return Case("allowed origin over plain http", "--allowed-origin: the allowed origin 'http://spa.example' must use https", ["clients", "add", "--client-id", $"c-{id}", "--public", .. redirect, "--allowed-origin", "http://spa.example"]);
        yield return Case("secret of 513 characters", "--secret: the client secret must have at least 32 characters (and at most 512)", "clients", "add", "--client-id", $"c-{id}", "--secret", new string('s', 513));
        yield return Case("public client without redirect URI", "--redirect-uri: a public client needs at least one redirect URI", "clients", "add", "--client-id", $"c-{id}", "--public");
        yield return Case("remove with an empty client id", "No client with client_id ''", "clients", "remove", "--client-id", "");
        yield return Case("key activation a thousand days away", "--activate-after must be at most 90 days", "keys", "rotate", "--activate-after", "1000.00:00:00");
        yield return Case("mail limit 0", "--limit: must be between 1 and 1000", "mail", "list", "--limit", "0");
        yield return Case("audit subject of 300 characters", "--subject: at most 256 characters", "audit", "list", "--subject", new string('s', 300));

        static TestCaseData Case(string why, string error, params string[] args) => new TestCaseData(args, error).SetArgDisplayNames(why);
    }

    [TestCaseSource(nameof(RefusedRequests))]
    public async Task RefusedRequest_ExitsTwoWithOneLineNamingTheFlag_AndChangesNothing(string[] args, string error)
    {
        var before = await runner.CountRowsAsync();

        var result = await runner.RunAsync(args);

        var after = await runner.CountRowsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.Error, Does.StartWith("error: ").And.Contain(error));
            Assert.That(result.Error, Does.Not.Match("(redirectUris|postLogoutRedirectUris|allowedOrigins|displayName|holderEmail|clientId):"), "no admin API field names");
            Assert.That(result.Output, Is.Empty);
            Assert.That(after, Is.EqualTo(before));
        }
    }

    private static IEnumerable<TestCaseData> MalformedArguments()
    {
        yield return Case("mail limit not a number", "mail", "list", "--limit", "ten");
        yield return Case("audit before not a number", "audit", "list", "--before", "abc");
        yield return Case("key delay not a time span", "keys", "rotate", "--activate-after", "soon");
        yield return Case("unknown flag", "clients", "add", "--client-id", "x", "--redirect-uris", "https://app.example/cb");

        static TestCaseData Case(string why, params string[] args) => new TestCaseData((object)args).SetArgDisplayNames(why);
    }

    [TestCaseSource(nameof(MalformedArguments))]
    public async Task MalformedArguments_ExitOneWithOneLine_AndChangeNothing(string[] args)
    {
        var before = await runner.CountRowsAsync();

        var result = await runner.RunAsync(args);

        var after = await runner.CountRowsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(after, Is.EqualTo(before));
        }
    }

    [Test]
    public async Task ClientsAdd_AllowedOrigin_IsStoredAsBrowsersSendIt()
    {
        var clientId = "spa-" + Guid.NewGuid().ToString("N")[..8];

        var added = await runner.RunAsync("clients", "add", "--client-id", clientId, "--public", "--redirect-uri", "https://spa.example/cb",
            "--allowed-origin", "https://SPA.example:443/", "--allowed-origin", "http://localhost:5173");
        var listed = await runner.RunAsync("clients", "list");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(added.ExitCode, Is.Zero, added.ToString());
            Assert.That(added.Output, Does.Contain("allowed origins: https://spa.example http://localhost:5173)"));
            Assert.That(listed.OutputLines, Has.One.StartWith(clientId + "\t").And.EndWith("\tallowed_origins=https://spa.example,http://localhost:5173"));
        }
    }
}
