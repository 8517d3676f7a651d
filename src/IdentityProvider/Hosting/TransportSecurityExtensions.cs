using IdentityProvider.Authorization;
using IdentityProvider.Common;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

public static class TransportSecurityExtensions
{
    /// <summary>
    /// The configured origin (<c>Oidc:Issuer</c>), cookies and HSTS. Every cookie, ours and the
    /// frameworks' (session, antiforgery, device cookies, Identity's), is <c>HttpOnly</c>, and
    /// <c>Secure</c> whenever the issuer is HTTPS — whatever scheme the request arrived with, since
    /// a TLS-terminating proxy may hand it over as plain HTTP. Without an issuer (Development only)
    /// cookies follow the request.
    /// </summary>
    public static IHostApplicationBuilder AddIdpTransportSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<OidcOptions>, IssuerValidation>();
        builder.Services.AddOptions<CookiePolicyOptions>().Configure<IOptions<OidcOptions>>((cookies, oidc) =>
        {
            cookies.HttpOnly = HttpOnlyPolicy.Always;
            cookies.Secure = oidc.Value.Issuer?.Scheme == Uri.UriSchemeHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddHsts(hsts =>
        {
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = true;
        });
        return builder;
    }

    /// <summary>
    /// Outside Development the server does not start without <c>Oidc:Issuer</c> (R-7.6): links,
    /// redirects, endpoint URLs and tokens are built on it, never on what a request claims.
    /// </summary>
    public static void RequireIssuer(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() && app.Services.GetRequiredService<IOptions<OidcOptions>>().Value.Issuer is null)
        {
            throw new StartupConfigurationException(
                $"Oidc:Issuer is not set: outside Development the server needs its public URL, e.g. Oidc__Issuer=https://login.example.jp/ (environment: {app.Environment.EnvironmentName}).");
        }
    }
}
