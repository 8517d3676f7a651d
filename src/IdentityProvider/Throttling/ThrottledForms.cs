using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Throttling;

/// <summary>
/// The named rate-limiter policies of the form posts that cost a password hash or a mail, which a
/// page opts into with <c>[EnableRateLimiting(ThrottledForms.Login)]</c>, and the two partition keys
/// they count by: the client's address, and the e-mail address the form submitted, which
/// <see cref="ReadSubmittedAddressAsync"/> takes from the form before the limiter runs.
/// </summary>
public static class ThrottledForms
{
    /// <summary>POSTs of the login form, limited by <see cref="RateLimitOptions.Login"/>.</summary>
    public const string Login = "login";

    /// <summary>POSTs of the forgot-password form, limited by <see cref="RateLimitOptions.ForgotPassword"/>.</summary>
    public const string ForgotPassword = "forgot-password";

    private const string AddressItem = "idp.throttle.address";

    /// <summary>
    /// For a form post to an endpoint under one of these policies: reads the posted form (buffered:
    /// the page binds it again) and keeps the normalized address for <see cref="SubmittedAddress"/>.
    /// </summary>
    public static async Task ReadSubmittedAddressAsync(HttpContext context, Func<Task> next)
    {
        if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType
            && context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName is Login or ForgotPassword)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var email = form["Input.Email"].ToString().Trim();
            context.Items[AddressItem] = email.Length > 256 ? email[..256].ToUpperInvariant() : email.ToUpperInvariant();
        }

        await next();
    }

    /// <summary>The address the form submitted, upper case; empty when it had none.</summary>
    public static string SubmittedAddress(HttpContext context) => context.Items[AddressItem] as string ?? string.Empty;

    /// <summary>The client address (after ForwardedHeaders); an IPv6 client by its /64, which one subscriber usually holds whole.</summary>
    public static string ClientKey(HttpContext context)
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
