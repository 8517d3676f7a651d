using IdentityProvider.Data;
using IdentityProvider.Tenants;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Cli;

/// <summary><c>tenants create|list</c> in process (R-6.4: operators provision tenants).</summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class TenantCommandsTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task Create_Basic_CreatesTenantWithContractHolderWithoutPassword()
    {
        var (name, email) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email);

        var tenant = await FindTenantAsync(name);
        var holder = await FindUserAsync(email);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain($"tenant '{name}' created (Basic, two-factor on)"));
            Assert.That(result.Output, Does.Contain("no password yet"));
            Assert.That(tenant, Is.Not.Null);
            Assert.That(tenant!.Plan, Is.EqualTo(TenantPlan.Basic));
            Assert.That(tenant.TwoFactorEnabled, Is.True, "2FA is on unless the operator says off");
            Assert.That(tenant.TrialEndsAt, Is.Null);
            Assert.That(holder, Is.Not.Null);
            Assert.That(holder!.Role, Is.EqualTo(UserRole.ContractHolder));
            Assert.That(tenant.ContractHolderId, Is.EqualTo(holder.Id));
            Assert.That(holder.PasswordHash, Is.Null);
        });
    }

    [Test]
    public async Task Create_FreeTrialWithTwoFactorOff_EndsTrialAfterThirtyDays()
    {
        var (name, email) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "FreeTrial", "--holder-email", email, "--two-factor", "off");

        var tenant = await FindTenantAsync(name);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.Output, Does.Contain("(FreeTrial, two-factor off)"));
            Assert.That(tenant!.TwoFactorEnabled, Is.False);
            Assert.That(tenant.TrialEndsAt, Is.EqualTo(tenant.CreatedAt + TimeSpan.FromDays(30)));
        });
    }

    [Test]
    public async Task Create_WithHolderPassword_HolderCanUseThatPassword()
    {
        var (name, email) = Unique();
        const string password = "Kumo-Sora-2026!x";

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email, "--holder-password", password);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var passwordWorks = await Host.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, password);
        });
        Assert.Multiple(() =>
        {
            Assert.That(result.Output, Does.Not.Contain("no password yet"));
            Assert.That(passwordWorks, Is.True);
        });
    }

    [Test]
    public async Task List_ShowsCreatedTenant()
    {
        var (name, email) = Unique();
        await RunAsync("tenants", "create", "--name", name, "--plan", "FreeTrial", "--holder-email", email);

        var result = await RunAsync("tenants", "list");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.ToString());
            Assert.That(result.OutputLines, Has.One.EqualTo($"{name}\tFreeTrial\tLineAndInternet\ttwo-factor=on\tholder={email}"));
        });
    }

    [Test]
    public async Task Create_UnknownPlan_ExitsOneAndCreatesNothing()
    {
        var (name, email) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Gold", "--holder-email", email);

        await AssertRejectedAsync(result, 1, name, email, "'Gold'");
    }

    [Test]
    public async Task Create_NumericPlanOutsideTheEnum_ExitsTwoAndCreatesNothing()
    {
        var (name, email) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "7", "--holder-email", email);

        await AssertRejectedAsync(result, 2, name, email, "Basic or FreeTrial");
    }

    [Test]
    public async Task Create_TwoFactorNeitherOnNorOff_ExitsOneAndCreatesNothing()
    {
        var (name, email) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email, "--two-factor", "maybe");

        await AssertRejectedAsync(result, 1, name, email, "maybe");
    }

    [Test]
    public async Task Create_DuplicateName_ExitsTwoAndCreatesNoSecondHolder()
    {
        var (name, email) = Unique();
        await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email);
        var (_, otherEmail) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", otherEmail);

        var otherHolder = await FindUserAsync(otherEmail);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.ErrorLines, Is.EqualTo(new[] { $"error: A tenant named '{name}' already exists." }));
            Assert.That(otherHolder, Is.Null);
        });
    }

    [Test]
    public async Task Create_HolderEmailAlreadyUsedInAnotherCase_ExitsTwoAndCreatesNothing()
    {
        var (first, email) = Unique();
        await RunAsync("tenants", "create", "--name", first, "--plan", "Basic", "--holder-email", email);
        var (name, _) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email.ToUpperInvariant());

        await AssertRejectedAsync(result, 2, name, email: null, "already used");
    }

    [TestCase("not-an-email")]
    [TestCase("two@at@example.test")]
    [TestCase(" ")]
    public async Task Create_InvalidHolderEmail_ExitsTwoAndCreatesNothing(string email)
    {
        var (name, _) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email);

        await AssertRejectedAsync(result, 2, name, email: null, "not a valid e-mail address");
    }

    [Test]
    public async Task Create_WeakHolderPassword_ExitsTwoAndCreatesNeitherTenantNorHolder()
    {
        var (name, email) = Unique();

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email, "--holder-password", "password");

        await AssertRejectedAsync(result, 2, name, email, "password");
    }

    [Test]
    public async Task Create_NameTooLong_ExitsTwoAndCreatesNothing()
    {
        var (_, email) = Unique();
        var name = new string('n', TenantInput.MaxNameLength + 1);

        var result = await RunAsync("tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email);

        await AssertRejectedAsync(result, 2, name, email, "--name: ");
    }

    private Task<CommandResult> RunAsync(params string[] args) => OperatorCli.RunAsync(Host, args);

    private async Task AssertRejectedAsync(CommandResult result, int exitCode, string name, string? email, string reason)
    {
        var tenant = await FindTenantAsync(name);
        var holder = email is null ? null : await FindUserAsync(email);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(exitCode), result.ToString());
            Assert.That(result.ErrorLines, Has.Length.EqualTo(1), result.ToString());
            Assert.That(result.Error, Does.Contain(reason));
            Assert.That(tenant, Is.Null, "no tenant");
            Assert.That(holder, Is.Null, "no contract holder");
        });
    }

    private Task<Tenant?> FindTenantAsync(string name) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Name == name));

    private Task<ApplicationUser?> FindUserAsync(string email) =>
        Host.InScopeAsync(services => services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email));

    private static (string Name, string Email) Unique()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return ($"tenant-{id}", $"holder-{id}@example.test");
    }
}
