using IdentityProvider.Admin;
using IdentityProvider.Audit;
using IdentityProvider.Links;
using IdentityProvider.Authorization;
using IdentityProvider.Clients;
using IdentityProvider.Lockout;
using IdentityProvider.Login;
using IdentityProvider.Mail;
using IdentityProvider.Persistence;
using IdentityProvider.Recovery;
using IdentityProvider.Retention;
using IdentityProvider.Tenants;
using IdentityProvider.TwoFactor;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

public static class IdentityProviderExtensions
{
    /// <summary>Everything the server and the operator commands share.</summary>
    public static IHostApplicationBuilder AddIdentityProvider(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        // A failed start is one line on standard error (StartupFailure), not the host's own error
        // with a stack trace; a background service that stops the host is still logged (Critical).
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.AddIdpPersistence();

        builder.AddIdpDataProtection();
        builder.AddIdpTransportSecurity();

        builder.AddIdpIdentity();
        builder.AddIdpOpenIddict();
        builder.AddIdpLocalization();
        builder.AddIdpAdminApi();
        builder.AddIdpMail();
        builder.AddIdpTokenPruning();
        builder.AddIdpRetention();

        builder.Services.AddOptions<LoginPageOptions>().BindConfiguration(LoginPageOptions.Section);
        builder.Services.AddScoped<PasswordSignIn>();
        builder.Services.AddSingleton<PasswordHashSlots>();
        builder.Services.AddScoped<ReauthenticationMarker>();
        builder.Services.AddScoped<ClientRegistry>();
        builder.Services.AddScoped<TenantDirectory>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<OperatorContext>();
        builder.Services.AddScoped<IOperatorContext>(services => services.GetRequiredService<OperatorContext>());
        builder.Services.AddScoped<AuditQuery>();
        builder.Services.AddScoped<LinkTokens>();
        builder.Services.AddScoped<MailOutbox>();
        builder.Services.AddScoped<LinkUrls>();

        builder.Services.AddOptions<LockoutOptions>()
            .BindConfiguration(LockoutOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<FailureCounters>();
        builder.Services.AddScoped<AccountLockout>();
        builder.Services.AddScoped<DeviceCookies>();
        builder.Services.AddScoped<TwoFactorRegistration>();
        builder.Services.AddScoped<PasswordReset>();
        builder.AddIdpRateLimiting();

        builder.Services.AddRazorPages(options => options.Conventions.Add(new PageMethodsConvention()))
            // Forms are checked on the server (pages work without JavaScript): asp-for writes no data-val-* attributes.
            .AddViewOptions(options => options.HtmlHelperOptions.ClientValidationEnabled = false);
        builder.AddIdpForwardedHeaders();
        return builder;
    }

    /// <summary>
    /// The request pipeline of the server, once the configuration is known to serve one: without
    /// <c>Oidc:Issuer</c> outside Development, or with options that fail their validation, the
    /// server stops here, before the database is touched.
    /// </summary>
    public static WebApplication UseIdentityProvider(this WebApplication app)
    {
        app.RequireIssuer();
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        app.WarnIfKeysUnencrypted();

        app.UseForwardedHeaders();
        app.UseMiddleware<IssuerOriginMiddleware>();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error");
            app.UseHsts();
        }

        // Pages get a page; the admin API answers problem details (AddProblemDetails) instead, and the
        // JSON protocol endpoints their own answer (userinfo's 401 is a bare WWW-Authenticate challenge).
        app.UseWhen(
            context => !context.Request.Path.StartsWithSegments("/admin/api") && !JsonProtocolEndpoints.Contains(context.Request.Path),
            branch => branch.UseStatusCodePagesWithReExecute("/error"));
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/admin/api"),
            branch => branch.UseStatusCodePages());
        app.UseRequestLocalization();
        app.UseMiddleware<PlainHttpRefusalMiddleware>();
        app.UseCookiePolicy();
        app.UseMiddleware<FormLimitsMiddleware>();
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = SecurityHeadersMiddleware.MarkStaticFile });
        app.UseRouting();
        app.UseIdpClientCors();
        app.UseIdpRateLimiting();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapRazorPages();
        app.MapConnectEndpoints();
        app.MapAdminApi();
        return app;
    }
}
