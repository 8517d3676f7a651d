using IdentityProvider.Throttling;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Hosting;

public static class RateLimitingExtensions
{
    /// <summary>
    /// Throttles the login and forgot-password form posts per client address and per submitted
    /// e-mail address (<see cref="RateLimitOptions"/>), so that lockout and reset mails
    /// cannot be driven at machine speed: the named policies of <see cref="ThrottledForms"/>,
    /// which the pages opt into with <c>[EnableRateLimiting]</c>. Rejected posts get 429 and the error page.
    /// </summary>
    public static IHostApplicationBuilder AddIdpRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<FormPostPolicies>();
        builder.Services.AddRateLimiter(options => options.RejectionStatusCode = StatusCodes.Status429TooManyRequests);
        builder.Services.AddOptions<RateLimiterOptions>().Configure<FormPostPolicies>((options, policies) =>
        {
            options.AddPolicy(ThrottledForms.Login, policies.Login);
            options.AddPolicy(ThrottledForms.ForgotPassword, policies.ForgotPassword);
        });
        return builder;
    }

    /// <summary>After routing and before the pages: the form is read for its address, then limited.</summary>
    public static WebApplication UseIdpRateLimiting(this WebApplication app)
    {
        app.Use(ThrottledForms.ReadSubmittedAddressAsync);
        app.UseRateLimiter();
        return app;
    }
}
