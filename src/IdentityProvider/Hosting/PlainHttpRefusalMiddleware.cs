using IdentityProvider.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

/// <summary>
/// With <c>Oidc:RequireHttps</c>, the pages and the admin API refuse plain HTTP the way OpenIddict
/// already refuses it on its own endpoints (<c>/connect/…</c>, <c>/.well-known/…</c>: an
/// <c>invalid_request</c> error, left to OpenIddict). A page read (GET, HEAD) is redirected to the
/// same URL over HTTPS, on the issuer when one is configured. Anything else — a login or reset form
/// post carrying a password, an admin API call — is answered 400 (the error page, or problem
/// details) before its body is read: redirecting a POST would only invite the browser to send the
/// password a second time.
/// </summary>
public sealed partial class PlainHttpRefusalMiddleware(RequestDelegate next, IOptions<OidcOptions> oidc, ILogger<PlainHttpRefusalMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!oidc.Value.RequireHttps || request.IsHttps || IsOpenIddictEndpoint(request.Path)
            || context.Features.Get<IStatusCodeReExecuteFeature>() is not null)
        {
            return next(context);
        }

        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && !request.Path.StartsWithSegments("/admin/api"))
        {
            context.Response.Redirect(
                $"{Uri.UriSchemeHttps}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}",
                permanent: true,
                preserveMethod: true);
            return Task.CompletedTask;
        }

        LogRefused(logger, request.Method, request.Path);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return Task.CompletedTask;
    }

    private static bool IsOpenIddictEndpoint(PathString path) =>
        path.StartsWithSegments("/connect") || path.StartsWithSegments("/.well-known");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a plain-HTTP {Method} to {Path}: Oidc:RequireHttps is on")]
    private static partial void LogRefused(ILogger logger, string method, PathString path);
}
