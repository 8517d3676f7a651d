namespace IdentityProvider.Tests.Cli;

/// <summary>
/// Finding 5 of the hardening issue: help and a mistyped command are answered by the executable
/// without starting the server — no migration (the database file is never created), no jobs.
/// </summary>
[TestFixture]
public sealed class UsageTests
{
    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    [TestCase("-?")]
    [TestCase("--", "--help")]
    public async Task Help_PrintsTheUsageAndExitsZero_WithoutStartingTheServer(params string[] args)
    {
        using var runner = new ExecutableRunner();

        var result = await runner.RunAsync(args);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Error, Is.Empty);
            Assert.That(result.Output, Does.StartWith("Usage:"));
            Assert.That(result.Output, Does.Contain("--urls http://localhost:5001").And.Contain("Oidc:Issuer").And.Contain("ConnectionStrings:Default"));
            foreach (var command in new[] { "clients add", "clients list", "clients remove", "tenants create", "tenants list", "users create", "keys list", "keys rotate", "mail list", "migrate", "audit list", "tokens prune" })
            {
                Assert.That(result.OutputLines, Has.One.Match($"^{command}  +\\S"), command);
            }

            Assert.That(File.Exists(runner.DatabaseFile), Is.False, "nothing migrated");
        });
    }

    [Test]
    public async Task DoubleDash_BeforeACommand_RunsTheCommand()
    {
        using var runner = new ExecutableRunner();

        var result = await runner.RunAsync("--", "tenants", "list");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Error, Is.Empty);
    }

    [TestCase("clinets", "unknown command 'clinets'. Did you mean 'clients'?")]
    [TestCase("tenant", "unknown command 'tenant'. Did you mean 'tenants'?")]
    [TestCase("migrat", "unknown command 'migrat'. Did you mean 'migrate'?")]
    [TestCase("serve", "unknown command 'serve'. Commands: audit, clients, keys, mail, migrate, retention, tenants, tokens, users; see --help.")]
    public async Task MistypedCommand_SaysSoOnStandardError_AndExitsOne_WithoutStartingTheServer(string word, string line)
    {
        using var runner = new ExecutableRunner();

        var result = await runner.RunAsync(word, "list");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { line }));
            Assert.That(result.Output, Is.Empty);
            Assert.That(File.Exists(runner.DatabaseFile), Is.False, "nothing migrated");
        });
    }
}
