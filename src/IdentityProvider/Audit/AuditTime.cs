using System.Globalization;
using System.Text.RegularExpressions;

namespace IdentityProvider.Audit;

/// <summary>
/// The instants operators type for <c>since</c>/<c>until</c>: ISO 8601 (<c>2026-11-01</c>,
/// <c>2026-11-01T09:00:00+09:00</c>, <c>…Z</c>; no offset means UTC) or a span back from now
/// (<c>90m</c>, <c>24h</c>, <c>7d</c>).
/// </summary>
public static partial class AuditTime
{
    public const string Formats = "ISO 8601 (2026-11-01, 2026-11-01T09:00:00Z, 2026-11-01T09:00:00+09:00) or a span back from now (90m, 24h, 7d)";

    /// <summary>Parses <paramref name="text"/>; the result is in UTC (Npgsql writes only UTC, and SQLite's integer encoding sorts by instant only at offset zero).</summary>
    public static bool TryParse(string? text, DateTimeOffset now, out DateTimeOffset value)
    {
        value = default;
        text = text?.Trim() ?? string.Empty;
        var relative = RelativePattern().Match(text);
        if (relative.Success)
        {
            if (!int.TryParse(relative.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                return false;
            }

            var span = relative.Groups[2].Value switch
            {
                "m" => TimeSpan.FromMinutes(count),
                "h" => TimeSpan.FromHours(count),
                _ => TimeSpan.FromDays(count),
            };
            if (span > now - DateTimeOffset.MinValue)
            {
                return false;
            }

            value = (now - span).ToUniversalTime();
            return true;
        }

        // The shape is checked first: DateTimeOffset.TryParse alone also takes "11/01/2026", whose meaning depends on who reads it.
        if (!IsoPattern().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        value = parsed.ToUniversalTime();
        return true;
    }

    [GeneratedRegex(@"^([0-9]{1,6})([mhd])$")]
    private static partial Regex RelativePattern();

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$")]
    private static partial Regex IsoPattern();
}
