using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace IdentityProvider.Mail;

/// <summary>
/// Renders the manual's mails (Mail/Templates) in Japanese, or in English when the culture is
/// English: plain text, and HTML with every value encoded and every URL a link. Moments are shown
/// in Japan time with the days the link stays valid (R-7.5), so the reader knows the deadline.
/// </summary>
public sealed partial class MailComposer(TimeProvider time) : IMailComposer
{
    private static readonly CultureInfo Japanese = CultureInfo.GetCultureInfo("ja-JP");

    private static readonly FrozenDictionary<MailTemplate, string[]> Required = new Dictionary<MailTemplate, string[]>
    {
        [MailTemplate.AccountLocked] = [MailValues.UserName, MailValues.UnlockUrl, MailValues.ExpiresAt],
        [MailTemplate.PasswordReset] = [MailValues.UserName, MailValues.ResetUrl, MailValues.ExpiresAt],
        [MailTemplate.UserInvitation] = [MailValues.UserName, MailValues.InviterEmail, MailValues.RegistrationUrl, MailValues.ExpiresAt],
        [MailTemplate.EmailChange] = [MailValues.UserName, MailValues.ConfirmUrl, MailValues.ExpiresAt],
        [MailTemplate.LoginMethodChange] = [MailValues.UserName, MailValues.ChangeUrl, MailValues.ExpiresAt],
        [MailTemplate.ActiveDirectoryNotice] = [MailValues.UserName, MailValues.InternetLoginUrl, MailValues.LineLoginUrl, MailValues.ConnectionId],
        [MailTemplate.PasswordResetNotice] = [MailValues.UserName, MailValues.ResetAt],
    }.ToFrozenDictionary();

    /// <summary>The values a template needs, in the order the error message names them.</summary>
    public static IReadOnlyList<string> RequiredValues(MailTemplate template) =>
        Required.TryGetValue(template, out var names) ? names : throw new ArgumentOutOfRangeException(nameof(template), template, "Unknown mail template.");

    public ComposedMail Compose(MailTemplate template, CultureInfo culture, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(culture);
        ArgumentNullException.ThrowIfNull(values);
        var missing = RequiredValues(template)
            .Where(name => !values.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
            .ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"The {template} mail needs the value(s) {string.Join(", ", missing)}.", nameof(values));
        }

        var english = culture.TwoLetterISOLanguageName == "en";
        var text = MailTemplateText.Get(template, english ? "en" : "ja");
        var shown = Display(values, english ? culture : Japanese, english);
        var body = Fill(text.Body, shown) + "\n\n" + text.Footer + "\n";
        return new ComposedMail(Fill(text.Subject, shown), body, Html(text, shown, english ? "en" : "ja"));
    }

    /// <summary>The values as the reader sees them: moments in Japan time, plus the days left.</summary>
    private Dictionary<string, string> Display(IReadOnlyDictionary<string, string> values, CultureInfo culture, bool english)
    {
        var shown = new Dictionary<string, string>(values, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (name.EndsWith("Url", StringComparison.Ordinal) && !IsWebAddress(value))
            {
                throw new ArgumentException($"The value {name} is not an absolute http(s) URL.", nameof(values));
            }
        }

        foreach (var name in new[] { MailValues.ExpiresAt, MailValues.ResetAt })
        {
            if (!values.TryGetValue(name, out var value))
            {
                continue;
            }

            if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
            {
                throw new ArgumentException($"The value {name} is not an ISO 8601 moment (MailValues.Moment).", nameof(values));
            }

            shown[name] = JapanTime.Format(moment, culture, english);
            if (name == MailValues.ExpiresAt)
            {
                // Links last whole days (R-7.5); round so that the moments spent composing don't show 13.
                var days = (int)Math.Round((moment - time.GetUtcNow()).TotalDays, MidpointRounding.AwayFromZero);
                shown["ValidDays"] = Math.Max(1, days).ToString(CultureInfo.InvariantCulture);
            }
        }

        return shown;
    }

    private static bool IsWebAddress(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string Fill(string template, Dictionary<string, string> shown) =>
        PlaceholderPattern().Replace(template, match => Value(shown, match));

    private static string Html(MailTemplateText text, Dictionary<string, string> shown, string language)
    {
        var html = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html lang=\"").Append(language).Append("\">\n<head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(Fill(text.Subject, shown)))
            .Append("</title></head>\n<body>\n");
        foreach (var paragraph in (text.Body + "\n\n" + text.Footer).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            html.Append("<p>")
                .AppendJoin("<br>\n", paragraph.Trim('\n').Split('\n').Select(line => HtmlLine(line, shown)))
                .Append("</p>\n");
        }

        return html.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>Template text and values are both encoded; a URL value becomes a link to itself.</summary>
    private static string HtmlLine(string line, Dictionary<string, string> shown)
    {
        var result = new StringBuilder();
        var last = 0;
        foreach (Match match in PlaceholderPattern().Matches(line))
        {
            result.Append(WebUtility.HtmlEncode(line[last..match.Index]));
            var name = match.Groups["name"].Value;
            var value = WebUtility.HtmlEncode(Value(shown, match));
            result.Append(name.EndsWith("Url", StringComparison.Ordinal) ? $"<a href=\"{value}\">{value}</a>" : value);
            last = match.Index + match.Length;
        }

        return result.Append(WebUtility.HtmlEncode(line[last..])).ToString();
    }

    private static string Value(Dictionary<string, string> shown, Match match) =>
        shown.TryGetValue(match.Groups["name"].Value, out var value)
            ? value
            : throw new InvalidOperationException($"The mail template uses {match.Value}, which no caller provides.");

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();
}
