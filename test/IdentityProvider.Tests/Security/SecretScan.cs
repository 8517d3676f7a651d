using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Tests.Security;

/// <summary>
/// Looks for secrets in a <see cref="DatabaseDump"/> in the forms a careless store would leave
/// them: as they were sent, URL-encoded, base64 of their UTF-8, their UTF-8 bytes in a blob, and
/// for tokens that are base64url of random bytes, those bytes as bytes, hex or base64.
/// </summary>
public sealed class SecretScan
{
    private readonly List<(string Name, string Form, string Text)> texts = [];
    private readonly List<(string Name, string Form, byte[] Bytes)> blobs = [];

    public IReadOnlyCollection<string> Names => texts.Select(t => t.Name).Distinct().ToList();

    public SecretScan Add(string name, string secret)
    {
        Assert.That(secret, Has.Length.GreaterThanOrEqualTo(8), $"{name}: too short to find without false alarms");
        var utf8 = Encoding.UTF8.GetBytes(secret);
        AddText(name, "as sent", secret);
        AddText(name, "URL-encoded", Uri.EscapeDataString(secret));
        AddText(name, "base64 of its UTF-8", Convert.ToBase64String(utf8));
        AddText(name, "base64url of its UTF-8", WebEncoders.Base64UrlEncode(utf8));
        blobs.Add((name, "its UTF-8 bytes", utf8));
        blobs.Add((name, "its UTF-16 bytes", Encoding.Unicode.GetBytes(secret)));
        if (TryDecodeBase64Url(secret) is { Length: >= 16 } raw)
        {
            blobs.Add((name, "its decoded bytes", raw));
            AddText(name, "its decoded bytes in hex", Convert.ToHexString(raw));
            AddText(name, "its decoded bytes in base64", Convert.ToBase64String(raw));
        }

        return this;
    }

    /// <summary>Every place a secret was found, as "name (form) in Table.Column".</summary>
    public List<string> FindIn(DatabaseDump dump)
    {
        var found = new List<string>();
        foreach (var value in dump.Values)
        {
            var text = value.Text ?? (value.Bytes is { } b ? Encoding.UTF8.GetString(b) : "");
            foreach (var (name, form, needle) in texts)
            {
                if (text.Contains(needle, form.Contains("hex", StringComparison.Ordinal) ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
                {
                    found.Add($"{name} ({form}) in {value}");
                }
            }

            if (value.Bytes is { } bytes)
            {
                foreach (var (name, form, needle) in blobs)
                {
                    if (bytes.AsSpan().IndexOf(needle) >= 0)
                    {
                        found.Add($"{name} ({form}) in {value}");
                    }
                }
            }
        }

        return found.Distinct().ToList();
    }

    private void AddText(string name, string form, string text)
    {
        if (!texts.Any(t => t.Name == name && t.Text == text))
        {
            texts.Add((name, form, text));
        }
    }

    private static byte[]? TryDecodeBase64Url(string text)
    {
        if (text.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_'))
        {
            return null;
        }

        try
        {
            return WebEncoders.Base64UrlDecode(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
