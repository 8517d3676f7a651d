using System.Threading.RateLimiting;
using IdentityProvider.Throttling;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Hosting;

public static partial class RateLimitingExtensions
{
    /// <summary>
    /// Throttles the login and forgot-password form posts per client address and per submitted
    /// e-mail address (<see cref="RateLimitOptions"/>), so that lockout and reset mails
    /// cannot be driven at machine speed. Rejected posts get 429 and the error page.
    /// </summary>
    public static IHostApplicationBuilder AddIdpRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(ThrottledForms.PerClient),
                PartitionedRateLimiter.Create<HttpContext, string>(ThrottledForms.PerAddress));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var fromLease) ? fromLease : ThrottledForms.RetryAfter(context.HttpContext);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

                var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("IdentityProvider.Throttling");
                LogRejected(logger, context.HttpContext.Request.Path);
                return ValueTask.CompletedTask;
            };
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limit reached for a form post to {Path}")]
    private static partial void LogRejected(ILogger logger, PathString path);
}
