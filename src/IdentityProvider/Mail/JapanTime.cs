using System.Globalization;

namespace IdentityProvider.Mail;

/// <summary>
/// Moments as the mails show them: in Japan time (Asia/Tokyo, the service's users), whatever the
/// server's zone, with the zone written out so no reader mistakes it for their own.
/// </summary>
internal static class JapanTime
{
    private static readonly TimeZoneInfo Zone = Find();

    public static string Format(DateTimeOffset moment, CultureInfo culture, bool english)
    {
        var local = TimeZoneInfo.ConvertTime(moment, Zone);
        return english
            ? local.ToString("d MMMM yyyy, HH:mm", culture) + " Japan Standard Time (UTC+9)"
            : local.ToString("yyyy年M月d日 HH:mm", CultureInfo.InvariantCulture) + "（日本時間）";
    }

    private static TimeZoneInfo Find()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        }
        catch (TimeZoneNotFoundException)
        {
            // A container without tzdata: Japan has had no daylight saving time since 1951.
            return TimeZoneInfo.CreateCustomTimeZone("Asia/Tokyo", TimeSpan.FromHours(9), "Japan Standard Time", "JST");
        }
    }
}
