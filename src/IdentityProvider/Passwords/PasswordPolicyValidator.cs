using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace IdentityProvider.Passwords;

/// <summary>Applies <see cref="PasswordPolicy"/> wherever ASP.NET Core Identity sets a password.</summary>
public sealed class PasswordPolicyValidator(IStringLocalizer<SharedResource> text) : IPasswordValidator<ApplicationUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        var problems = PasswordPolicy.Check(password, user.Email);
        return Task.FromResult(problems.Count == 0
            ? IdentityResult.Success
            : IdentityResult.Failed(problems.Select(p => new IdentityError { Code = $"Password{p}", Description = text[$"Password_{p}"] }).ToArray()));
    }
}
