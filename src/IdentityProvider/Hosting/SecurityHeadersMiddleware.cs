using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.StaticFiles;

namespace IdentityProvider.Hosting;

/// <summary>
/// Headers every response carries: no framing (clickjacking of the login page: <c>X-Frame-Options</c>
/// and CSP <c>frame-ancestors 'none'</c>), no MIME sniffing, no referrer (authorization URLs carry
/// state and codes), a Content-Security-Policy without inline script or style, and no caching
/// (<c>Cache-Control: no-store</c>, <c>Pragma: no-cache</c> for HTTP/1.0 caches) of anything but the
/// static files and the public discovery documents: pages, tokens, codes in redirects, links, secrets
/// in admin API answers. HSTS is added outside Development by <c>UseHsts</c>.
/// <para>
/// The authorization endpoint's form_post response is OpenIddict's auto-submitting page, whose one
/// inline script (<see cref="FormPostScript"/>) is allowed by its hash and nothing else;
/// <c>FormPostCspTests</c> fails if OpenIddict's page changes. No <c>form-action</c> anywhere:
/// Chromium applies it to every redirect after a form post, and the login form's redirect chain
/// (like the form_post page's own post) ends at the relying party's origin.
/// </para>
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    /// <summary>The script of OpenIddict's form_post page (OpenIddict.Server.AspNetCore 7.8).</summary>
    public const string FormPostScript = "document.form.submit();";

    private const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
        "base-uri 'none'; frame-ancestors 'none'";

    private const string NonPagePolicy = "default-src 'none'; frame-ancestors 'none'";

    private static readonly string FormPostPolicy =
        $"default-src 'none'; script-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(FormPostScript)))}'; " +
        "base-uri 'none'; frame-ancestors 'none'";

    private static readonly object StaticFileKey = new();

    /// <summary>For <c>StaticFileOptions.OnPrepareResponse</c>: static files keep ordinary caching.</summary>
    public static void MarkStaticFile(StaticFileResponseContext file) => file.Context.Items[StaticFileKey] = true;

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            var isHtml = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
            headers.ContentSecurityPolicy = !isHtml ? NonPagePolicy
                : context.Request.Path.StartsWithSegments("/connect/authorize") ? FormPostPolicy
                : PagePolicy;

            if (!context.Items.ContainsKey(StaticFileKey) && !context.Request.Path.StartsWithSegments("/.well-known"))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
