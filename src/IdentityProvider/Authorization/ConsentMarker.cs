using Microsoft.AspNetCore.DataProtection;

namespace IdentityProvider.Authorization;

/// <summary>
/// The consent page's answer, carried back to the authorization request it interrupted: allowed or
/// denied, by this user for this client, protected and valid ten minutes. "Allowed" lets a request
/// with <c>prompt=consent</c> go on after the screen instead of showing it again; "denied" turns
/// the request into <c>access_denied</c> for the client. A forged or stale marker counts for nothing.
/// </summary>
public sealed class ConsentMarker(IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string Parameter = "idp_consent";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ITimeLimitedDataProtector protector =
        dataProtection.CreateProtector("IdentityProvider.Authorization.ConsentMarker.v1").ToTimeLimitedDataProtector();

    public string Create(bool allowed, Guid userId, string clientId) =>
        protector.Protect($"{(allowed ? "allow" : "deny")} {userId:D} {clientId}", time.GetUtcNow() + Lifetime);

    /// <summary>true (allowed), false (denied), or null when missing, forged, stale or another user's or client's.</summary>
    public bool? Read(string? marker, Guid userId, string? clientId)
    {
        if (string.IsNullOrEmpty(marker))
        {
            return null;
        }

        try
        {
            var parts = protector.Unprotect(marker, out var expiration).Split(' ', 3);
            return expiration > time.GetUtcNow() && parts.Length == 3 && parts[1] == userId.ToString("D") && parts[2] == clientId
                ? parts[0] == "allow"
                : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
