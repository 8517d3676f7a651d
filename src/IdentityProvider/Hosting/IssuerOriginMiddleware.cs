using IdentityProvider.Authorization;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

/// <summary>
/// With <c>Oidc:Issuer</c> set, every request is served as if it had been made to the issuer: its
/// host (and its path base, when the issuer has a path) become the issuer's before anything reads
/// them. Whatever is built downstream from the request — mailed links, the cookie handler's login
/// redirect, OpenIddict's discovery endpoint URLs and <c>jwks_uri</c> (built on the request's base
/// URI, not on the issuer), redirects after re-execution — is then on the issuer, and a forged
/// <c>Host</c> or <c>X-Forwarded-Host</c> shapes nothing (the latter is not even read then, see
/// <see cref="ForwardedHeadersExtensions"/>).
/// The scheme is left as it arrived (after <c>X-Forwarded-Proto</c> from a trusted proxy) while
/// <c>Oidc:RequireHttps</c> is on, so that OpenIddict and <see cref="PlainHttpRefusalMiddleware"/>
/// still see plain HTTP and refuse it — whatever they let through is HTTPS, the issuer's scheme.
/// With it off, the scheme becomes the issuer's too.
/// </summary>
public sealed class IssuerOriginMiddleware(RequestDelegate next, IOptions<OidcOptions> oidc)
{
    public Task InvokeAsync(HttpContext context)
    {
        var options = oidc.Value;
        if (options.Issuer is { } issuer)
        {
            var request = context.Request;
            request.Host = HostString.FromUriComponent(issuer);
            var basePath = new PathString(issuer.AbsolutePath.TrimEnd('/'));
            if (basePath.HasValue)
            {
                // Served below the issuer's path as well as behind a proxy that strips it.
                if (request.Path.StartsWithSegments(basePath, out var remaining))
                {
                    request.Path = remaining;
                }

                request.PathBase = basePath;
            }

            if (!options.RequireHttps)
            {
                request.Scheme = issuer.Scheme;
            }
        }

        return next(context);
    }
}
