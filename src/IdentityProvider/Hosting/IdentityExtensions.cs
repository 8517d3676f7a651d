using IdentityProvider.Data;
using IdentityProvider.Login;
using IdentityProvider.Passwords;
using IdentityProvider.Sessions;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Hosting;

public static class IdentityExtensions
{
    /// <summary>ASP.NET Core Identity for users: password hashing, the session cookie, security stamps.</summary>
    public static IHostApplicationBuilder AddIdpIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddIdentity<ApplicationUser, IdentityRole<Guid>>(options =>
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
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PasswordPolicyValidator>()
            .AddClaimsPrincipalFactory<SessionPrincipalFactory>();
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
