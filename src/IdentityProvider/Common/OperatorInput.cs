using System.Globalization;
using System.Text;

namespace IdentityProvider.Common;

/// <summary>
/// Rules for operator-typed text that more than one service takes (display names), and how a
/// refusal shows the value it refuses: never more than a short, single-line excerpt, so that a
/// 5 MB value does not come back in the problem details, the log line or the terminal.
/// </summary>
public static class OperatorInput
{
    /// <summary>The users' column holds 200 characters; clients get the same bound.</summary>
    public const int MaxDisplayNameLength = 200;

    /// <summary>How much of a refused value a message repeats.</summary>
    public const int ShownLength = 80;

    /// <summary>
    /// Trimmed, or null when empty. Refused: longer than <see cref="MaxDisplayNameLength"/>, or with a
    /// character that changes how the text around it is shown rather than being shown itself
    /// (<see cref="IsHiddenControl"/>).
    /// </summary>
    public static string? DisplayName(string? value, string field)
    {
        var name = value?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        if (name.Length > MaxDisplayNameLength)
        {
            throw RequestRejectedException.Invalid(field, $"a display name is at most {MaxDisplayNameLength} characters, not {name.Length}.");
        }

        if (FirstHiddenControl(name) is { } bad)
        {
            throw RequestRejectedException.Invalid(field, $"a display name must not contain control, line-break or text-direction characters (U+{bad:X4}).");
        }

        return name;
    }

    /// <summary>
    /// Text a service looks rows up by (a tenant name, an audit subject): refused when it holds a
    /// character <see cref="IsHiddenControl"/> refuses, which no stored name has — and PostgreSQL
    /// refuses NUL in a query's text, so the lookup would fail instead of finding nothing.
    /// </summary>
    public static void RefuseHiddenControl(string? value, string field)
    {
        if (value is not null && FirstHiddenControl(value) is { } bad)
        {
            throw RequestRejectedException.Invalid(field, $"must not contain control, line-break or text-direction characters (U+{bad:X4}).");
        }
    }

    /// <summary>The code point of the first character <see cref="IsHiddenControl"/> refuses (an unpaired surrogate counts), or null.</summary>
    public static int? FirstHiddenControl(string text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return text[i];
            }

            if (IsHiddenControl(rune))
            {
                return rune.Value;
            }

            i += consumed;
        }

        return null;
    }

    /// <summary>
    /// C0/C1 controls, line and paragraph separators, and format characters (bidirectional
    /// overrides such as U+202E can make a name read as something else), except the zero-width
    /// (non-)joiners that some scripts and emoji need.
    /// </summary>
    public static bool IsHiddenControl(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => true,
        UnicodeCategory.Format => rune.Value is not (0x200C or 0x200D),
        _ => false,
    };

    /// <summary>A value as a message repeats it: quoted, on one line, cut after <see cref="ShownLength"/> characters.</summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var cut = value.Length <= ShownLength ? value.Length : char.IsHighSurrogate(value[ShownLength - 1]) ? ShownLength - 1 : ShownLength;
        var builder = new StringBuilder(cut + 32).Append('\'');
        foreach (var c in value.AsSpan(0, cut))
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append(cut < value.Length ? $"...' ({value.Length} characters)" : "'");
        return builder.ToString();
    }
}
