using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace IdentityProvider.Hosting;

public static class ForwardedHeadersExtensions
{
    /// <summary>
    /// Behind a TLS-terminating proxy the issuer and redirect checks need the original scheme and
    /// host. Only proxies listed in <c>ForwardedHeaders:KnownProxies</c> (addresses) or
    /// <c>ForwardedHeaders:KnownNetworks</c> (CIDR) are believed; loopback always is.
    /// </summary>
    public static IHostApplicationBuilder AddIdpForwardedHeaders(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("ForwardedHeaders");
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks: '{network}' is not a CIDR network."));
            }
        });
        return builder;
    }
}
