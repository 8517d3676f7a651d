using System.Text;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// A field's value: text, or raw bytes that are not UTF-8 (sent as they are in a body, percent-encoded
/// byte by byte in a URL), or — in a JSON body — a raw JSON token of another type.
/// </summary>
public sealed record FieldValue
{
    private FieldValue(string? text, byte[]? bytes, string? json)
    {
        Text = text;
        Bytes = bytes;
        RawJson = json;
    }

    public string? Text { get; }

    public byte[]? Bytes { get; }

    /// <summary>A JSON token written as it is (<c>123</c>, <c>{}</c>, <c>null</c>): wrong types in a JSON body.</summary>
    public string? RawJson { get; }

    public static FieldValue Of(string text) => new(text, null, null);

    public static FieldValue OfBytes(params byte[] bytes) => new(null, bytes, null);

    public static FieldValue OfJson(string token) => new(null, null, token);

    /// <summary>What a URL carries: UTF-8 percent-encoded, raw bytes each percent-encoded.</summary>
    public string UrlEncoded() => Bytes is not null
        ? string.Concat(Bytes.Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)))
        : Uri.EscapeDataString(Text ?? RawJson ?? string.Empty);

    /// <summary>What a form body carries: text percent-encoded, raw bytes as they are.</summary>
    public byte[] FormEncoded() => Bytes ?? Encoding.ASCII.GetBytes(Uri.EscapeDataString(Text ?? RawJson ?? string.Empty));

    /// <summary>What a JSON body carries: a string literal, raw bytes inside quotes, or the raw token.</summary>
    public byte[] JsonEncoded() =>
        RawJson is not null ? Encoding.UTF8.GetBytes(RawJson)
        : Bytes is not null ? [(byte)'"', .. Bytes, (byte)'"']
        : System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Text);

    public override string ToString() => Text ?? RawJson ?? Convert.ToHexString(Bytes!);
}
