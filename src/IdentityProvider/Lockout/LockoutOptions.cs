using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Lockout;

/// <summary>Configuration section <c>Lockout</c>: when wrong passwords lock an account .</summary>
public sealed class LockoutOptions
{
    public const string Section = "Lockout";

    /// <summary>R-7.3 and the manual: the tenth consecutive wrong password locks the account.</summary>
    [Range(3, 100)]
    public int MaxFailedAttempts { get; set; } = 10;

    [ValidateObjectMembers]
    public DeviceCookieOptions DeviceCookies { get; set; } = new();
}

/// <summary>
/// <c>Lockout:DeviceCookies</c>, OWASP's "device cookies": a browser in which the user has already
/// signed in keeps working while their account is locked by failures elsewhere, so that knowing an
/// address is not enough to lock its owner out. Off by default: the manual promises a plain lock.
/// </summary>
public sealed class DeviceCookieOptions
{
    public bool Enabled { get; set; }

    /// <summary>How long a browser stays trusted after its last successful sign-in.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "400.00:00:00")]
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(90);
}
