using IdentityProvider.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Links;

/// <summary>
/// The absolute URL a mail links to. It is built on <c>Oidc:Issuer</c> when set, and only
/// otherwise on the request's own scheme and host: a forged Host header on a forgot-password
/// request would put the victim's reset token into a link to the attacker's site, so production
/// sets the issuer (or <c>AllowedHosts</c>).
/// </summary>
public sealed class LinkUrls(IHttpContextAccessor http, IOptions<OidcOptions> oidc)
{
    public string Create(string pagePath, string token)
    {
        var origin = oidc.Value.Issuer?.AbsoluteUri.TrimEnd('/') ?? RequestOrigin();
        return QueryHelpers.AddQueryString(origin + pagePath, "token", token);
    }

    private string RequestOrigin()
    {
        var request = (http.HttpContext ?? throw new InvalidOperationException("Mailed links are made while serving a request.")).Request;
        return $"{request.Scheme}://{request.Host}{request.PathBase}";
    }
}
