using IdentityProvider.Authorization;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

/// <summary>
/// Checks <c>Oidc:Issuer</c> when it is set: every link, redirect and endpoint URL is built on it
/// (<see cref="IssuerOriginMiddleware"/>), so it must be a plain absolute HTTP(S) URL. Plain HTTP
/// contradicts <c>Oidc:RequireHttps</c>, and outside Development is only accepted on a loopback
/// address (tests, benchmarks), so that a reachable deployment always gets <c>Secure</c> cookies.
/// That the server needs one at all outside Development is checked where the server starts
/// (<see cref="TransportSecurityExtensions.RequireIssuer"/>): operator commands build no URL.
/// </summary>
public sealed class IssuerValidation(IHostEnvironment environment) : IValidateOptions<OidcOptions>
{
    public ValidateOptionsResult Validate(string? name, OidcOptions options)
    {
        if (options.Issuer is not { } issuer)
        {
            return ValidateOptionsResult.Success;
        }

        if (!issuer.IsAbsoluteUri || (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp))
        {
            return ValidateOptionsResult.Fail($"Oidc:Issuer: '{issuer}' is not an absolute http(s) URL (e.g. https://login.example.jp/).");
        }

        if (issuer.Query.Length > 0 || issuer.Fragment.Length > 0 || issuer.UserInfo.Length > 0)
        {
            return ValidateOptionsResult.Fail($"Oidc:Issuer: '{issuer}' must not carry a query, a fragment or user information.");
        }

        if (issuer.Scheme == Uri.UriSchemeHttp && options.RequireHttps)
        {
            return ValidateOptionsResult.Fail($"Oidc:Issuer: '{issuer}' is plain HTTP while Oidc:RequireHttps is true; use an https:// issuer.");
        }

        if (issuer.Scheme == Uri.UriSchemeHttp && !issuer.IsLoopback && !environment.IsDevelopment())
        {
            return ValidateOptionsResult.Fail($"Oidc:Issuer: '{issuer}' is plain HTTP; outside Development only a loopback address may be (tests, benchmarks).");
        }

        return ValidateOptionsResult.Success;
    }
}
