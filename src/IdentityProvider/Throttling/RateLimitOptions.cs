using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Throttling;

/// <summary>
/// Configuration section <c>RateLimits</c>: how many form posts the endpoints that cost a password
/// hash or a mail accept, per client address and per submitted e-mail address, in a sliding window.
/// Limits hold per node (memory); the lockout counters hold across the cluster.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>POST /Account/Login. Per client: generous, a whole office may sit behind one address.</summary>
    [ValidateObjectMembers]
    public EndpointLimits Login { get; set; } = new()
    {
        PerClient = new WindowLimit { PermitLimit = 100, Window = TimeSpan.FromMinutes(1) },
        PerAddress = new WindowLimit { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) },
    };

    /// <summary>POST /Account/ForgotPassword: each accepted request may send a mail, so few per address.</summary>
    [ValidateObjectMembers]
    public EndpointLimits ForgotPassword { get; set; } = new()
    {
        PerClient = new WindowLimit { PermitLimit = 20, Window = TimeSpan.FromMinutes(10) },
        PerAddress = new WindowLimit { PermitLimit = 3, Window = TimeSpan.FromMinutes(15) },
    };
}

public sealed class EndpointLimits
{
    /// <summary>Per client IP address (IPv6: per /64, what one subscriber usually holds).</summary>
    [ValidateObjectMembers]
    public WindowLimit PerClient { get; set; } = new();

    /// <summary>Per e-mail address typed into the form, whether or not it is registered.</summary>
    [ValidateObjectMembers]
    public WindowLimit PerAddress { get; set; } = new();
}

public sealed class WindowLimit
{
    [Range(1, 1_000_000)]
    public int PermitLimit { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
