using IdentityProvider.Data;
using IdentityProvider.Login;
using IdentityProvider.Passwords;
using IdentityProvider.Sessions;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Hosting;

public static class IdentityExtensions
{
    /// <summary>
    /// ASP.NET Core Identity for users: password hashing, the session cookie, security stamps.
    /// Users only: a user's role is <see cref="ApplicationUser.Role"/>, so Identity's role tables,
    /// role manager and role claims are not registered; nor are Identity's token providers, since
    /// every mailed link is one of ours (<see cref="Links.LinkTokens"/>: single-use, stored hashed).
    /// </summary>
    public static IHostApplicationBuilder AddIdpIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // The login ID is the e-mail address; any address the e-mail check accepts is a valid name.
                options.User.AllowedUserNameCharacters = string.Empty;
                // lives in PasswordPolicyValidator; Identity's own rules are switched off so
                // that each problem is reported once, in our words and the user's language.
                options.Password.RequiredLength = 1;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<IdpDbContext>()
            .AddSignInManager()
            .AddPasswordValidator<PasswordPolicyValidator>()
            .AddClaimsPrincipalFactory<SessionPrincipalFactory>();

        // The one cookie a browser session needs, the default scheme of the pages, checked against
        // the user's security stamp (SecurityStampValidator). No external or two-factor cookies:
        // nothing signs in with them.
        builder.Services.AddAuthentication(IdentityConstants.ApplicationScheme).AddApplicationCookie();
        builder.Services.AddArgon2idPasswordHasher();

        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "idp.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = "/Account/Login";
            cookie.LogoutPath = "/connect/endsession";
            cookie.AccessDeniedPath = "/Account/Login";
            cookie.SlidingExpiration = true;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        // The cookie carries only a reference; the session lives in the database (Sessions/).
        builder.AddIdpSessions();
        return builder;
    }
}
