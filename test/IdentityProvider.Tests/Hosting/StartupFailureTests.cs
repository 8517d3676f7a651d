using System.Net;
using System.Net.Sockets;
using IdentityProvider.Tests.Cli;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// Finding 15 of the hardening issue and the newcomer's port: configuration the server cannot start
/// with ends in one line on standard error naming what to change, and exit code 3 — never a stack
/// trace (the unhandled exception's exit code was 134). The real executable, as an operator runs it.
/// </summary>
[TestFixture]
public sealed class StartupFailureTests
{
    private static IEnumerable<TestCaseData> BadConfigurations()
    {
        yield return Case("unknown database provider", new() { ["Database__Provider"] = "Oracle" },
            "Database:Provider: 'Oracle' is not a supported database; use Sqlite, SqlServer, PostgreSql.");
        yield return Case("SQLite folder that cannot be created", new() { ["ConnectionStrings__Default"] = "Data Source=/proc/idp-cannot-exist/idp.db" },
            "ConnectionStrings:Default: cannot create the folder '/proc/idp-cannot-exist'");
        yield return Case("options that fail their validation", new() { ["Lockout__MaxFailedAttempts"] = "0" },
            "Invalid configuration: ");
        yield return Case("no issuer in Production", new() { ["Oidc__Issuer"] = string.Empty },
            "Oidc:Issuer is not set: outside Development the server needs its public URL");
        yield return Case("a plain-HTTP issuer with HTTPS required", new() { ["Oidc__Issuer"] = "http://login.example.jp/" },
            "Invalid configuration: Oidc:Issuer: 'http://login.example.jp/' is plain HTTP while Oidc:RequireHttps is true");
        yield return Case("a proxy that is no address", new() { ["ForwardedHeaders__KnownProxies__0"] = "proxy.internal" },
            "ForwardedHeaders:KnownProxies: 'proxy.internal' is not an IP address.");

        static TestCaseData Case(string why, Dictionary<string, string> environment, string line) =>
            new TestCaseData(environment, line).SetArgDisplayNames(why);
    }

    [TestCaseSource(nameof(BadConfigurations))]
    public async Task BadConfiguration_EndsInOneLineAndExitCodeThree_BeforeTheDatabaseIsTouched(Dictionary<string, string> environment, string line)
    {
        using var runner = new ExecutableRunner();

        var result = await runner.RunAsync(environment);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.Error, Does.StartWith(line));
            Assert.That(result.Output + result.Error, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(File.Exists(runner.DatabaseFile), Is.False, "nothing migrated");
        });
    }

    [Test]
    public async Task PortInUse_EndsInOneLineNamingThePortAndUrls_AndExitCodeThree()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var runner = new ExecutableRunner();

        var result = await runner.RunAsync("--urls", $"http://127.0.0.1:{port}");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[]
            {
                $"Port {port} is already in use (http://127.0.0.1:{port}): stop the other process or choose another address with --urls http://127.0.0.1:{port + 1}",
            }));
            Assert.That(result.Output + result.Error, Does.Not.Contain("   at "), "no stack trace");
        });
    }

    [Test]
    public async Task MistypedAbsoluteSqlitePath_SaysInTheLogThatANewEmptyDatabaseWasCreated()
    {
        using var runner = new ExecutableRunner();
        var mistyped = Path.Combine(runner.Folder, "mistyped", "idp.db");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();

        // The taken port ends the run once the database is set up.
        var result = await runner.RunAsync(new Dictionary<string, string> { ["ConnectionStrings__Default"] = $"Data Source={mistyped}" },
            "--urls", $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.OutputLines.Count(l => l.Contains("created a new, empty database at", StringComparison.Ordinal)), Is.EqualTo(1), result.Output);
            Assert.That(result.Output, Does.Contain($"created a new, empty database at {mistyped}"));
            Assert.That(File.Exists(mistyped), Is.True);
        });
    }

    [Test]
    public async Task ExistingSqliteDatabase_IsNotReportedAsNew()
    {
        using var runner = new ExecutableRunner();
        var migrated = await runner.RunAsync("migrate");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();

        var result = await runner.RunAsync("--urls", $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}");

        Assert.That(migrated.ExitCode, Is.Zero, migrated.ToString());
        Assert.That(result.Output, Does.Not.Contain("created a new, empty database"));
    }
}
