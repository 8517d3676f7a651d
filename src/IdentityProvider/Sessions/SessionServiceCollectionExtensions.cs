using System.Security.Claims;
using IdentityProvider.Authorization;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Sessions;

public static class SessionServiceCollectionExtensions
{
    /// <summary>
    /// Keeps the session cookie's tickets on the server (<see cref="ServerSessions"/>), with a new
    /// key at every sign-in (<see cref="SessionCookieRotation"/>). Call after Identity's cookie is
    /// configured.
    /// </summary>
    public static IHostApplicationBuilder AddIdpSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServerSessionOptions>()
            .BindConfiguration(ServerSessionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<ServerSessions>();
        builder.Services.AddSingleton<SessionTicketStore>();
        builder.Services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<SessionTicketStore>((cookie, store) =>
            {
                cookie.SessionStore = store;
                SessionCookieRotation.Attach(cookie);
            });

        // Identity re-reads the user every 30 minutes and rebuilds the session's principal from
        // it, which drops what the sign-in added: keep auth_time and amr, or the session would
        // stop counting for authorization requests half an hour after the sign-in.
        builder.Services.Configure<SecurityStampValidatorOptions>(validator => validator.OnRefreshingPrincipal = context =>
        {
            if (context.NewPrincipal?.Identity is ClaimsIdentity refreshed && context.CurrentPrincipal is { } current && SessionFacts.From(current) is { } facts)
            {
                refreshed.AddClaims(facts.ToClaims());
            }

            return Task.CompletedTask;
        });
        return builder;
    }
}
