using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Throttling;

/// <summary>
/// The partitions of the form-post rate limits: which endpoint a request is (only POSTs of the
/// login and forgot-password forms are limited), the client's address, and the e-mail address it
/// submitted, which <see cref="ReadSubmittedAddressAsync"/> takes from the form before the limiter runs.
/// </summary>
public static class ThrottledForms
{
    private const string AddressItem = "idp.throttle.address";
    private const int SegmentsPerWindow = 6;

    /// <summary>Reads the posted form (buffered: the page binds it again) and keeps the normalized address.</summary>
    public static async Task ReadSubmittedAddressAsync(HttpContext context, Func<Task> next)
    {
        if (Limits(context) is not null && context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var email = form["Input.Email"].ToString().Trim();
            context.Items[AddressItem] = email.Length > 256 ? email[..256].ToUpperInvariant() : email.ToUpperInvariant();
        }

        await next();
    }

    public static RateLimitPartition<string> PerClient(HttpContext context) =>
        Partition(context, limits => limits.PerClient, ClientKey(context));

    public static RateLimitPartition<string> PerAddress(HttpContext context) =>
        Partition(context, limits => limits.PerAddress, context.Items[AddressItem] as string ?? string.Empty);

    /// <summary>
    /// The earliest moment a retry can succeed: one segment of the shorter window (a sliding window
    /// frees permits segment by segment, and its leases carry no retry-after of their own).
    /// </summary>
    public static TimeSpan RetryAfter(HttpContext context)
    {
        var limits = Limits(context)?.Limits;
        return limits is null ? TimeSpan.Zero : Min(limits.PerClient.Window, limits.PerAddress.Window) / SegmentsPerWindow;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static RateLimitPartition<string> Partition(HttpContext context, Func<EndpointLimits, WindowLimit> select, string key)
    {
        var (name, limits) = Limits(context) ?? default;
        if (limits is null)
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        var limit = select(limits);
        return RateLimitPartition.GetSlidingWindowLimiter($"{name}:{key}", _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            SegmentsPerWindow = SegmentsPerWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static (string Name, EndpointLimits Limits)? Limits(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return null;
        }

        var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var path = context.Request.Path;
        return path.Equals("/Account/Login", StringComparison.OrdinalIgnoreCase) ? ("login", options.Login)
            : path.Equals("/Account/ForgotPassword", StringComparison.OrdinalIgnoreCase) ? ("forgot", options.ForgotPassword)
            : null;
    }

    /// <summary>The client address (after ForwardedHeaders); an IPv6 client by its /64, which one subscriber usually holds whole.</summary>
    private static string ClientKey(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "none";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
