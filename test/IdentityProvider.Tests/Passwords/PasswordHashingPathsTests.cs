using System.Net;
using IdentityProvider.Hosting;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.PasswordReset;
using Microsoft.Extensions.Logging.Abstractions;

namespace IdentityProvider.Tests.Passwords;

/// <summary>
/// wherever a password is set: each path goes through Identity's hasher, so each stores an
/// Argon2id hash with the configured parameters and none writes a PBKDF2 hash of its own.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class PasswordHashingPathsTests(DatabaseKind kind) : HostFixture(kind)
{
    private const string Configured = "$argon2id$v=19$m=19456,t=2,p=1$";
    private const string Password = "Kumo-Sora-2026!x";

    [Test]
    public async Task CliUsersCreate_StoresArgon2id()
    {
        var tenant = await Host.CreateUserAsync();
        var email = $"cli-{Guid.NewGuid():N}@example.test";

        var result = await OperatorCli.RunAsync(Host, "users", "create", "--tenant", tenant.TenantName, "--email", email, "--password", Password);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That((await UserRecords.FindAsync(Host, email)).PasswordHash, Does.StartWith(Configured));
    }

    [Test]
    public async Task CliTenantsCreateWithHolderPassword_StoresArgon2id()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var email = $"holder-{id}@example.test";

        var result = await OperatorCli.RunAsync(Host, "tenants", "create", "--name", $"tenant-{id}", "--plan", "Basic", "--holder-email", email, "--holder-password", Password);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That((await UserRecords.FindAsync(Host, email)).PasswordHash, Does.StartWith(Configured));
    }

    [Test]
    public async Task PasswordReset_StoresArgon2id()
    {
        var user = await Host.CreateUserAsync();
        var before = (await UserRecords.FindAsync(Host, user.Email)).PasswordHash;
        var link = await ResetFlow.RequestLinkAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();

        using var posted = await ResetFlow.SubmitAsync(browser, link, ResetFlow.NewPassword);

        var after = (await UserRecords.FindAsync(Host, user.Email)).PasswordHash;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect).Or.EqualTo(HttpStatusCode.OK));
            Assert.That(after, Is.Not.EqualTo(before), "the reset went through");
            Assert.That(after, Does.StartWith(Configured));
        }
    }

    [Test]
    public async Task DevelopmentSeed_StoresArgon2id()
    {
        await Host.InScopeAsync(async services =>
        {
            await DevelopmentSeed.RunAsync(services, NullLogger.Instance);
            return 0;
        });

        Assert.That((await UserRecords.FindAsync(Host, DevelopmentSeed.HolderEmail)).PasswordHash, Does.StartWith(Configured));
    }
}
