namespace IdentityProvider.Tests.Cli;

/// <summary>
/// The operator commands as an operator runs them: the real executable in its own process,
/// configured through environment variables. Each process costs one to two seconds, so the cases
/// here are few; <see cref="ClientCommandsTests"/> and friends cover the rest in process.
/// </summary>
[TestFixture]
public sealed class ExecutableTests
{
    private const string ExistingTenant = "existing-tenant";
    private const string ExistingClient = "existing-client";
    private ExecutableRunner runner = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        runner = new ExecutableRunner();
        await ExpectSuccessAsync("migrate");
        await ExpectSuccessAsync("tenants", "create", "--name", ExistingTenant, "--plan", "Basic", "--holder-email", "holder@existing.test");
        await ExpectSuccessAsync("clients", "add", "--client-id", ExistingClient, "--redirect-uri", "https://existing.example/cb");
    }

    [OneTimeTearDown]
    public void Stop() => runner.Dispose();

    [Test]
    public async Task Migrate_FreshDatabase_ExitsZeroAndSaysUpToDate()
    {
        using var fresh = new ExecutableRunner();

        var result = await fresh.RunAsync("migrate");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain("database is up to date"));
            Assert.That(result.Error, Is.Empty);
            Assert.That(File.Exists(fresh.DatabaseFile), Is.True, "the database file named by ConnectionStrings__Default");
        });
    }

    [Test]
    public async Task TokensPrune_RunsAPassAndExits_RatherThanStartingTheServer()
    {
        // The first word selects a command only if the executable knows it as one; "tokens" was
        // missing from that list once and started the server instead.
        var result = await runner.RunAsync("tokens", "prune");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.StartWith("pruned 0 token entries and 0 authorizations created more than 14 days ago"));
        });
    }

    [Test]
    public async Task ProvisioningCommands_ValidInput_ExitZeroAndDoWhatTheySay()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var tenant = $"acme-{id}";
        var clientId = $"app-{id}";

        var createTenant = await runner.RunAsync("tenants", "create", "--name", tenant, "--plan", "FreeTrial", "--holder-email", $"holder-{id}@acme.test", "--two-factor", "off");
        var createUser = await runner.RunAsync("users", "create", "--tenant", tenant, "--email", $"user-{id}@acme.test", "--password", "Kumo-Sora-2026!x", "--role", "Admin");
        var addClient = await runner.RunAsync("clients", "add", "--client-id", clientId, "--redirect-uri", "http://127.0.0.1:7000/cb",
            "--post-logout-redirect-uri", "http://127.0.0.1:7000/", "--scope", "openid", "--scope", "email");
        var listed = await runner.RunAsync("clients", "list");
        var removeClient = await runner.RunAsync("clients", "remove", "--client-id", clientId);
        var existsAfterRemoval = await runner.ClientExistsAsync(clientId);

        Assert.Multiple(() =>
        {
            foreach (var result in new[] { createTenant, createUser, addClient, listed, removeClient })
            {
                Assert.That(result.ExitCode, Is.Zero, result.ToString());
                Assert.That(result.Error, Is.Empty, result.ToString());
            }

            Assert.That(createTenant.Output, Does.Contain($"tenant '{tenant}' created (FreeTrial, two-factor off)"));
            Assert.That(createUser.Output, Does.Contain($"user user-{id}@acme.test created in tenant '{tenant}' (Admin)"));
            Assert.That(addClient.Output, Does.Contain($"client '{clientId}' registered (confidential; scopes: openid email; ID tokens: RS256)"));
            Assert.That(addClient.Output, Does.Match("client_secret: [A-Za-z0-9_-]{43}"), "a generated secret is shown once");
            Assert.That(listed.OutputLines, Has.One.StartsWith($"{clientId}\tconfidential\tredirect_uris=http://127.0.0.1:7000/cb\t"));
            Assert.That(removeClient.Output, Does.Contain($"client '{clientId}' removed"));
            Assert.That(listed.OutputLines, Has.One.StartsWith(ExistingClient + "\t"));
            Assert.That(existsAfterRemoval, Is.False);
        });
    }

    private static IEnumerable<TestCaseData> RejectedCommands()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        yield return Case("unknown tenant", "users", "create", "--tenant", $"no-such-tenant-{id}", "--email", $"u-{id}@acme.test", "--password", "Kumo-Sora-2026!x");
        yield return Case("duplicate client id", "clients", "add", "--client-id", ExistingClient, "--redirect-uri", "https://other.example/cb");
        yield return Case("weak password", "users", "create", "--tenant", ExistingTenant, "--email", $"weak-{id}@acme.test", "--password", "password");
        yield return Case("malformed redirect URI", "clients", "add", "--client-id", $"bad-uri-{id}", "--redirect-uri", "not a uri");
        yield return Case("missing required option", "clients", "add", "--redirect-uri", "https://app.example/cb");
        yield return Case("--public with --secret", "clients", "add", "--client-id", $"pub-{id}", "--public", "--secret", new string('s', 40), "--redirect-uri", "https://app.example/cb");
        yield return Case("unknown plan", "tenants", "create", "--name", $"gold-{id}", "--plan", "Gold", "--holder-email", $"gold-{id}@acme.test");

        static TestCaseData Case(string why, params string[] args) => new TestCaseData((object)args).SetArgDisplayNames(why);
    }

    [TestCaseSource(nameof(RejectedCommands))]
    public async Task RejectedCommand_ExitsNonZeroWithOneLineOnStderrAndChangesNothing(string[] args)
    {
        var before = await runner.CountRowsAsync();

        var result = await runner.RunAsync(args);
        var after = await runner.CountRowsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero, result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(after, Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Command_OnUnmigratedDatabaseWithoutMigrateOnStart_ExitsThreeWithOneLineNamingTheFix()
    {
        using var fresh = new ExecutableRunner();

        var result = await fresh.RunAsync(new Dictionary<string, string> { ["Database__MigrateOnStart"] = "false" }, "clients", "list");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.Error, Does.Contain("Run the 'migrate' command"));
        });
    }

    private async Task ExpectSuccessAsync(params string[] args)
    {
        var result = await runner.RunAsync(args);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
    }
}
