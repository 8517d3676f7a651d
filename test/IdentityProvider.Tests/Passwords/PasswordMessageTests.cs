using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Passwords;

/// <summary>Each password problem is reported once, by our policy, in the user's language.</summary>
public sealed class PasswordMessageTests
{
    [Test]
    public async Task ShortPassword_IsReportedOnce_ByThePolicy()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite);
        var errors = await host.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = "short@example.test", Email = "short@example.test" };
            var codes = new List<string>();
            foreach (var validator in users.PasswordValidators)
            {
                codes.AddRange((await validator.ValidateAsync(users, user, "Ab1!x")).Errors.Select(e => e.Code));
            }

            return codes;
        });

        Assert.That(errors, Is.EqualTo(new[] { "PasswordTooShort" }));
    }
}
