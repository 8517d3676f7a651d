using System.Security.Claims;
using System.Text.Json;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// How and when the user proved who they are in this browser session: carried in the session
/// cookie, copied into codes and refresh tokens, and issued as <c>auth_time</c> and <c>amr</c>.
/// </summary>
public sealed record SessionFacts(DateTimeOffset AuthenticatedAt, IReadOnlyList<string> Methods)
{
    /// <summary>RFC 8176 "pwd": a password.</summary>
    public const string Password = "pwd";

    public IEnumerable<Claim> ToClaims()
    {
        yield return new Claim(Claims.AuthenticationTime, AuthenticatedAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64);
        foreach (var method in Methods)
        {
            yield return new Claim(Claims.AuthenticationMethodReference, method);
        }
    }

    /// <summary>Reads the facts back from a session cookie or a stored token principal.</summary>
    public static SessionFacts? From(ClaimsPrincipal principal)
    {
        var authTime = principal.GetClaim(Claims.AuthenticationTime);
        if (!long.TryParse(authTime, out var seconds))
        {
            return null;
        }

        var methods = principal.GetClaims(Claims.AuthenticationMethodReference)
            .SelectMany(ParseMethods)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new SessionFacts(DateTimeOffset.FromUnixTimeSeconds(seconds), methods);
    }

    // A stored token principal keeps amr as the JSON array it was issued as.
    private static IEnumerable<string> ParseMethods(string value) =>
        value.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(value) ?? [] : [value];
}
