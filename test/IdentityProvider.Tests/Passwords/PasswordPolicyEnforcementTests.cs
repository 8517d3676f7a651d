using System.Net;
using System.Text.Json;
using IdentityProvider.Data;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Passwords;

/// <summary>
/// wherever a password is set: the operator command line, the admin API, and every
/// ASP.NET Core Identity path (change, first password) that the pages build on.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class PasswordPolicyEnforcementTests(DatabaseKind kind) : AdminApiFixture(kind)
{
    private const string StrongPassword = "Kumo-Sora-2026!x";

    public enum Surface
    {
        CliUsersCreate,
        CliTenantsCreateHolder,
        ApiPostUser,
        ApiPostTenantHolder,
    }

    private static IEnumerable<TestCaseData> WeakPasswords()
    {
        var weak = new (string Password, string Reason)[]
        {
            ("Kq7#mZp", "at least 8 characters"),
            ("kumosoranotabi2026", "at least 3 of"),
            ("P@ssw0rd123", "too common"),
            (new string('a', 64) + new string('B', 64) + "1", "at most 128 characters"),
        };
        foreach (var surface in Enum.GetValues<Surface>())
        {
            foreach (var (password, reason) in weak)
            {
                yield return new TestCaseData(surface, password, reason).SetArgDisplayNames(surface.ToString(), reason);
            }
        }
    }

    [TestCaseSource(nameof(WeakPasswords))]
    public async Task WeakPassword_IsRefusedWithTheRuleAndCreatesNoUser(Surface surface, string password, string reason)
    {
        var email = UniqueEmail();

        var (accepted, message) = await SetPasswordAsync(surface, email, password);

        var user = await FindUserAsync(email);
        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.False, message);
            Assert.That(message, Does.Contain(reason));
            Assert.That(user, Is.Null);
        });
    }

    [TestCase(Surface.CliUsersCreate)]
    [TestCase(Surface.CliTenantsCreateHolder)]
    [TestCase(Surface.ApiPostUser)]
    [TestCase(Surface.ApiPostTenantHolder)]
    public async Task PasswordEqualToEmail_IsRefused(Surface surface)
    {
        var email = "Mixed." + Guid.NewGuid().ToString("N")[..8] + "-7@example.test";

        var (accepted, message) = await SetPasswordAsync(surface, email, email.ToLowerInvariant());

        Assert.Multiple(() =>
        {
            Assert.That(accepted, Is.False, message);
            Assert.That(message, Does.Contain("same as the email"));
        });
    }

    [TestCase(Surface.CliUsersCreate)]
    [TestCase(Surface.CliTenantsCreateHolder)]
    [TestCase(Surface.ApiPostUser)]
    [TestCase(Surface.ApiPostTenantHolder)]
    public async Task StrongPassword_IsAcceptedAndWorks(Surface surface)
    {
        var email = UniqueEmail();

        var (accepted, message) = await SetPasswordAsync(surface, email, StrongPassword);

        Assert.That(accepted, Is.True, message);
        var works = await Host.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.CheckPasswordAsync((await users.FindByEmailAsync(email))!, StrongPassword);
        });
        Assert.That(works, Is.True);
    }

    [Test]
    public async Task ChangePassword_ToCommonPassword_IsRefusedAndTheOldOneStillWorks()
    {
        var existing = await Host.CreateUserAsync(StrongPassword);

        var (result, oldStillWorks) = await WithUserAsync(existing.Email, async (users, user) =>
        {
            var changed = await users.ChangePasswordAsync(user, StrongPassword, "Password1!");
            return (changed, await users.CheckPasswordAsync(user, StrongPassword));
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Errors.Select(e => e.Code), Is.EqualTo(new[] { "PasswordTooCommon" }));
            Assert.That(oldStillWorks, Is.True);
        });
    }

    /// <summary>
    /// A password is reset only through the mailed link (single-use, stored hashed; the page's rule
    /// is tested in ResetPasswordTests): Identity's own reset tokens, neither single-use nor stored,
    /// cannot even be made.
    /// </summary>
    [Test]
    public async Task IdentityResetToken_IsNotOffered()
    {
        var existing = await Host.CreateUserAsync(StrongPassword);

        var refused = await WithUserAsync(existing.Email, (users, user) =>
            Task.FromResult(Assert.CatchAsync<NotSupportedException>(() => users.GeneratePasswordResetTokenAsync(user))));

        Assert.That(refused, Is.Not.Null);
    }

    [Test]
    public async Task FirstPasswordOfInvitedHolder_TooFewClasses_IsRefused()
    {
        // A holder provisioned without a password registers one later; the rule applies then too.
        var email = UniqueEmail();
        var created = await OperatorCli.RunAsync(Host, "tenants", "create", "--name", "tenant-" + Guid.NewGuid().ToString("N")[..12], "--plan", "Basic", "--holder-email", email);
        Assert.That(created.ExitCode, Is.Zero, created.ToString());

        var result = await WithUserAsync(email, (users, user) => users.AddPasswordAsync(user, "kumosoranotabi"));

        Assert.That(result.Errors.Select(e => e.Code), Is.EqualTo(new[] { "PasswordTooFewCharacterClasses" }));
    }

    private async Task<(bool Accepted, string Message)> SetPasswordAsync(Surface surface, string email, string password)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        switch (surface)
        {
            case Surface.CliUsersCreate:
            {
                var tenant = await Host.CreateUserAsync();
                var result = await OperatorCli.RunAsync(Host, "users", "create", "--tenant", tenant.TenantName, "--email", email, "--password", password);
                return (result.ExitCode == 0, result.Error);
            }

            case Surface.CliTenantsCreateHolder:
            {
                var result = await OperatorCli.RunAsync(Host, "tenants", "create", "--name", $"tenant-{id}", "--plan", "Basic", "--holder-email", email, "--holder-password", password);
                return (result.ExitCode == 0, result.Error);
            }

            case Surface.ApiPostUser:
            {
                var tenant = await Host.CreateUserAsync();
                using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = tenant.TenantName, email, password });
                return await ApiOutcomeAsync(response);
            }

            case Surface.ApiPostTenantHolder:
            {
                using var response = await Admin.PostAsync("/admin/api/tenants", new { name = $"tenant-{id}", plan = "Basic", holderEmail = email, holderPassword = password });
                return await ApiOutcomeAsync(response);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(surface));
        }
    }

    private static async Task<(bool Accepted, string Message)> ApiOutcomeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return (true, body);
        }

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        return (false, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!);
    }

    private Task<ApplicationUser?> FindUserAsync(string email) =>
        Host.InScopeAsync(services => services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email));

    private Task<T> WithUserAsync<T>(string email, Func<UserManager<ApplicationUser>, ApplicationUser, Task<T>> action) => Host.InScopeAsync(async services =>
    {
        var users = services.GetRequiredService<UserManager<ApplicationUser>>();
        return await action(users, (await users.FindByEmailAsync(email))!);
    });

    private static string UniqueEmail() => $"user-{Guid.NewGuid():N}@example.test";
}
