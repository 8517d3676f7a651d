namespace IdentityProvider.Hosting;

/// <summary>
/// Headers every response carries: no framing (clickjacking of the login page), no MIME sniffing,
/// no referrer (authorization URLs carry state and codes), and for our own pages a strict CSP and
/// no caching. The authorization endpoint is left without a CSP: its form_post response is an
/// auto-submitting form of OpenIddict's. No <c>form-action</c>: Chromium applies it to every redirect
/// after a form post, and the login form's redirect chain ends at the relying party's origin.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
        "base-uri 'none'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            var isPage = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
            if (isPage && !context.Request.Path.StartsWithSegments("/connect/authorize"))
            {
                headers.ContentSecurityPolicy = PagePolicy;
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
