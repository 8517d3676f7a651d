using System.Globalization;
using Microsoft.AspNetCore.DataProtection;

namespace IdentityProvider.Authorization;

/// <summary>
/// When an authorization request demands a fresh sign-in (<c>prompt=login</c>, <c>max_age</c>),
/// the user is sent to the login page and back to the same request with this marker: the time the
/// demand was made, protected and short-lived. A session authenticated after that moment satisfies
/// the demand, so the request is not re-prompted forever — and nobody can forge the marker.
/// </summary>
public sealed class ReauthenticationMarker(IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string Parameter = "idp_reauth";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private readonly ITimeLimitedDataProtector protector =
        dataProtection.CreateProtector("IdentityProvider.Authorization.ReauthenticationMarker.v1").ToTimeLimitedDataProtector();

    public string Create(DateTimeOffset demandedAt) =>
        protector.Protect(demandedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), time.GetUtcNow() + Lifetime);

    /// <summary>The moment the demand was made, or null when the marker is missing, forged or stale.</summary>
    public DateTimeOffset? Read(string? marker)
    {
        if (string.IsNullOrEmpty(marker))
        {
            return null;
        }

        try
        {
            var payload = protector.Unprotect(marker, out var expiration);
            return expiration > time.GetUtcNow() && long.TryParse(payload, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
