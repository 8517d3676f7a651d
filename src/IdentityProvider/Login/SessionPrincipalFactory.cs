using System.Security.Claims;
using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Login;

/// <summary>
/// The session cookie's principal: the user's id, user name, e-mail address and security stamp —
/// what Identity's own factory puts in it, read from the user row the sign-in already holds.
/// Identity's factory also reads the user's rows in <c>AspNetUserClaims</c> on every sign-in and
/// every security-stamp refresh: a query, and nothing in this product writes that table. A user's role is
/// <see cref="ApplicationUser.Role"/>, which clients get from the token endpoint and userinfo
/// (<see cref="Authorization.OidcPrincipalFactory"/>), not from the cookie.
/// </summary>
public sealed class SessionPrincipalFactory(UserManager<ApplicationUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var types = Options.ClaimsIdentity;
        var identity = new ClaimsIdentity(IdentityConstants.ApplicationScheme, types.UserNameClaimType, types.RoleClaimType);
        identity.AddClaim(new Claim(types.UserIdClaimType, await UserManager.GetUserIdAsync(user)));
        identity.AddClaim(new Claim(types.UserNameClaimType, (await UserManager.GetUserNameAsync(user))!));
        if (await UserManager.GetEmailAsync(user) is { Length: > 0 } email)
        {
            identity.AddClaim(new Claim(types.EmailClaimType, email));
        }

        identity.AddClaim(new Claim(types.SecurityStampClaimType, await UserManager.GetSecurityStampAsync(user)));
        return identity;
    }
}
