using IdentityProvider.Authorization;
using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Login;

/// <summary>
/// Checks an e-mail and password and starts the browser session. Unknown addresses cost the same
/// password-hash work as known ones, so the response time does not tell which addresses exist.
/// </summary>
public sealed class PasswordSignIn(SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users, TimeProvider time)
{
    private static readonly Lazy<string> DecoyHash = new(() =>
        new PasswordHasher<ApplicationUser>().HashPassword(new ApplicationUser(), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));

    public async Task<PasswordSignInOutcome> SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null || user.LoginMethod != LoginMethod.Password || user.PasswordHash is null)
        {
            users.PasswordHasher.VerifyHashedPassword(new ApplicationUser(), DecoyHash.Value, password);
            return user is null ? PasswordSignInOutcome.UnknownUser : PasswordSignInOutcome.OtherLoginMethod;
        }

        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: false);
        if (result.IsLockedOut)
        {
            return PasswordSignInOutcome.LockedOut;
        }

        if (result.IsNotAllowed)
        {
            return PasswordSignInOutcome.NotAllowed;
        }

        if (!result.Succeeded)
        {
            return PasswordSignInOutcome.WrongPassword;
        }

        var now = time.GetUtcNow();
        var session = new SessionFacts(now, [SessionFacts.Password]);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, session.ToClaims());

        user.LastSignInAt = now;
        await users.UpdateAsync(user);
        return PasswordSignInOutcome.Succeeded;
    }
}
