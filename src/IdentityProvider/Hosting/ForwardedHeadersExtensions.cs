using System.Net;
using IdentityProvider.Authorization;
using IdentityProvider.Common;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

public static class ForwardedHeadersExtensions
{
    /// <summary>
    /// Behind a TLS-terminating proxy the HTTPS checks need the original scheme, and the rate limits
    /// the client's address. Only proxies listed in <c>ForwardedHeaders:KnownProxies</c> (addresses)
    /// or <c>ForwardedHeaders:KnownNetworks</c> (CIDR) are believed; loopback always is.
    /// <c>X-Forwarded-Host</c> is read only while <c>Oidc:Issuer</c> is unset (Development): a proxy
    /// passes on whatever host the client named, and with an issuer the host is the issuer's anyway
    /// (<see cref="IssuerOriginMiddleware"/>).
    /// </summary>
    public static IHostApplicationBuilder AddIdpForwardedHeaders(this IHostApplicationBuilder builder)
    {
        // Parsed here, so that a wrong entry stops the start rather than the first request.
        var section = builder.Configuration.GetSection("ForwardedHeaders");
        var proxies = (section.GetSection("KnownProxies").Get<string[]>() ?? []).Select(proxy => IPAddress.TryParse(proxy, out var address)
            ? address
            : throw new StartupConfigurationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address.")).ToList();
        var networks = (section.GetSection("KnownNetworks").Get<string[]>() ?? []).Select(network => System.Net.IPNetwork.TryParse(network, out var parsed)
            ? parsed
            : throw new StartupConfigurationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a CIDR network.")).ToList();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<OidcOptions>>((options, oidc) =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                | (oidc.Value.Issuer is null ? ForwardedHeaders.XForwardedHost : ForwardedHeaders.None);
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
        });
        return builder;
    }
}
