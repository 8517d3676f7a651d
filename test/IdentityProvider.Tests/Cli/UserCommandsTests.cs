using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Cli;

/// <summary><c>users create</c> in process; the password policy applies here too.</summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class UserCommandsTests(DatabaseKind kind) : HostFixture(kind)
{
    private const string StrongPassword = "Kumo-Sora-2026!x";
    [Test]
    public async Task Create_DefaultRole_CreatesPasswordUserInTenant()
    {
        var tenant = await CreateTenantAsync();
        var email = UniqueEmail();

        var result = await RunAsync("users", "create", "--tenant", tenant, "--email", email, "--password", StrongPassword, "--display-name", "山田 太郎");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var (user, passwordWorks) = await FindUserAsync(email, StrongPassword);
        Assert.Multiple(() =>
        {
            Assert.That(result.Output, Does.Contain($"user {email} created in tenant '{tenant}' (User)"));
            Assert.That(user!.Role, Is.EqualTo(UserRole.User));
            Assert.That(user.LoginMethod, Is.EqualTo(LoginMethod.Password));
            Assert.That(user.DisplayName, Is.EqualTo("山田 太郎"));
            Assert.That(passwordWorks, Is.True);
        });
    }

    [Test]
    public async Task Create_AdminRole_CreatesAdmin()
    {
        var tenant = await CreateTenantAsync();
        var email = UniqueEmail();

        var result = await RunAsync("users", "create", "--tenant", tenant, "--email", email, "--password", StrongPassword, "--role", "Admin");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var (user, _) = await FindUserAsync(email, StrongPassword);
        Assert.That(user!.Role, Is.EqualTo(UserRole.Admin));
    }

    [Test]
    public async Task Create_ContractHolderRole_ExitsTwoAndCreatesNothing()
    {
        var tenant = await CreateTenantAsync();
        var email = UniqueEmail();

        var result = await RunAsync("users", "create", "--tenant", tenant, "--email", email, "--password", StrongPassword, "--role", "ContractHolder");

        await AssertRejectedAsync(result, 2, email, "User or Admin");
    }

    [Test]
    public async Task Create_UnknownTenant_ExitsTwoAndCreatesNothing()
    {
        var email = UniqueEmail();
        var tenant = "no-such-tenant-" + Guid.NewGuid().ToString("N")[..8];

        var result = await RunAsync("users", "create", "--tenant", tenant, "--email", email, "--password", StrongPassword);

        await AssertRejectedAsync(result, 2, email, $"No tenant named '{tenant}'");
    }

    [TestCase("password", "at least 3 of")]
    [TestCase("Sh0rt!", "at least 8 characters")]
    [TestCase("Password1!", "common")]
    public async Task Create_WeakPassword_ExitsTwoWithOneLineAndCreatesNothing(string password, string reason)
    {
        var tenant = await CreateTenantAsync();
        var email = UniqueEmail();

        var result = await RunAsync("users", "create", "--tenant", tenant, "--email", email, "--password", password);

        await AssertRejectedAsync(result, 2, email, reason);
    }

    [Test]
    public async Task Create_PasswordEqualToEmail_ExitsTwoAndCreatesNothing()
    {
        var tenant = await CreateTenantAsync();
        var email = "Mixed.Case-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";

        var result = await RunAsync("users", "create", "--tenant", tenant, "--email", email, "--password", email);

        await AssertRejectedAsync(result, 2, email, "same as the email");
    }

    [Test]
    public async Task Create_EmailUsedInAnotherTenant_ExitsTwoAndKeepsTheFirstUser()
    {
        var first = await CreateTenantAsync();
        var second = await CreateTenantAsync();
        var email = UniqueEmail();
        await RunAsync("users", "create", "--tenant", first, "--email", email, "--password", StrongPassword);

        var result = await RunAsync("users", "create", "--tenant", second, "--email", email.ToUpperInvariant(), "--password", "Other-Pass-2026!y");

        var (user, firstPasswordWorks) = await FindUserAsync(email, StrongPassword);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1));
            Assert.That(result.Error, Does.Contain("already used"));
            Assert.That(firstPasswordWorks, Is.True);
        });
    }

    [Test]
    public async Task Create_WithoutPassword_ExitsOneAndCreatesNothing()
    {
        var tenant = await CreateTenantAsync();
        var email = UniqueEmail();

        var result = await RunAsync("users", "create", "--tenant", tenant, "--email", email);

        await AssertRejectedAsync(result, 1, email, "'--password' is required");
    }

    private Task<CommandResult> RunAsync(params string[] args) => OperatorCli.RunAsync(Host, args);

    private async Task<string> CreateTenantAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var result = await RunAsync("tenants", "create", "--name", $"tenant-{id}", "--plan", "Basic", "--holder-email", $"holder-{id}@example.test");
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return $"tenant-{id}";
    }

    private async Task AssertRejectedAsync(CommandResult result, int exitCode, string email, string reason)
    {
        var (user, _) = await FindUserAsync(email, null);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.Error, Does.Contain(reason));
            Assert.That(user, Is.Null, "no user was created");
        });
    }

    private Task<(ApplicationUser? User, bool PasswordWorks)> FindUserAsync(string email, string? password) => Host.InScopeAsync(async services =>
    {
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await users.FindByEmailAsync(email);
        return (user, user is not null && password is not null && await users.CheckPasswordAsync(user, password));
    });

    private static string UniqueEmail() => $"user-{Guid.NewGuid():N}@example.test";
}
