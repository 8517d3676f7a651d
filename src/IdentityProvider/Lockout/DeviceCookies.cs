using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Lockout;

/// <summary>
/// OWASP device cookies (<see cref="DeviceCookieOptions"/>): after a successful sign-in the browser
/// gets a protected cookie naming the user and a random nonce. While it is valid and its own
/// failure counter is not locked, that browser's password attempts for that user are judged apart
/// from the account's lock. One cookie holds the few users who sign in on a shared browser.
/// </summary>
public sealed class DeviceCookies(IHttpContextAccessor http, IDataProtectionProvider protection, TimeProvider time, IOptions<LockoutOptions> options)
{
    public const string CookieName = "idp.device";

    /// <summary>The login page only: the cookie is never sent anywhere it is not needed.</summary>
    public const string CookiePath = "/Account/Login";

    private const int MaxUsersPerBrowser = 5;

    private readonly IDataProtector protector = protection.CreateProtector("IdentityProvider.Lockout.DeviceCookie.v1");

    public bool Enabled => options.Value.DeviceCookies.Enabled;

    /// <summary>The nonce of this browser's unexpired device cookie for <paramref name="userId"/>, if any.</summary>
    public string? FindNonce(Guid userId)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return Read().FirstOrDefault(e => e.User == userId && e.Expires > now)?.Nonce;
    }

    /// <summary>After a successful sign-in: a new nonce for this user (the old one is dropped), the others kept.</summary>
    public void Issue(Guid userId)
    {
        var context = Context();
        var now = time.GetUtcNow();
        var expires = now + options.Value.DeviceCookies.Lifetime;
        var entries = Read()
            .Where(e => e.User != userId && e.Expires > now.ToUnixTimeSeconds())
            .Prepend(new DeviceEntry(userId, Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)), expires.ToUnixTimeSeconds()))
            .Take(MaxUsersPerBrowser)
            .ToList();
        context.Response.Cookies.Append(CookieName, protector.Protect(JsonSerializer.Serialize(entries)), new CookieOptions
        {
            HttpOnly = true,
            Secure = context.Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            Path = CookiePath,
            Expires = expires,
            IsEssential = true,
        });
    }

    private List<DeviceEntry> Read()
    {
        var value = Context().Request.Cookies[CookieName];
        if (string.IsNullOrEmpty(value))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<List<DeviceEntry>>(protector.Unprotect(value)) ?? [];
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            // Forged, from another installation, or from a retired key: the browser is simply not trusted.
            return [];
        }
    }

    private HttpContext Context() => http.HttpContext ?? throw new InvalidOperationException("Device cookies exist only in a request.");

    private sealed record DeviceEntry(Guid User, string Nonce, long Expires);
}
