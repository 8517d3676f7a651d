using System.Security.Cryptography;
using System.Text;

namespace IdentityProvider.Clients;

/// <summary>
/// The stored form of a client secret: <c>$hs256$&lt;salt&gt;$&lt;mac&gt;</c>, HMAC-SHA-256 of the secret keyed
/// with 16 random bytes of its own (base64url). Client secrets are keys, not passwords: generated
/// ones carry 256 random bits and operator-given ones are at least
/// <see cref="ClientRegistry.MinimumSecretLength"/> characters, so guessing one from its hash costs
/// 2^128 or more attempts whatever the hash's speed, and a slow password hash (OpenIddict's PBKDF2,
/// milliseconds of CPU) only slows every token request down (RFC 6819 §5.1.4.1.3 asks for hashed
/// secrets, not slow ones). The per-secret key keeps equal secrets from having equal hashes.
/// </summary>
public static class ClientSecretHash
{
    /// <summary>Marks this format; '$' never starts OpenIddict's base64 PBKDF2 format.</summary>
    public const string Prefix = "$hs256$";

    private const int SaltLength = 16;
    private const int MacLength = 32;

    public static string Create(string secret)
    {
        Span<byte> salt = stackalloc byte[SaltLength];
        RandomNumberGenerator.Fill(salt);
        Span<byte> mac = stackalloc byte[MacLength];
        Compute(salt, secret, mac);
        return Prefix + Base64UrlEncode(salt) + "$" + Base64UrlEncode(mac);
    }

    /// <summary>Whether <paramref name="stored"/> is in this format (otherwise: OpenIddict's PBKDF2 format, or unknown).</summary>
    public static bool IsFast(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Compares in constant time; false for a malformed <paramref name="stored"/> value.</summary>
    public static bool Verify(string secret, string stored)
    {
        if (!IsFast(stored))
        {
            return false;
        }

        var parts = stored.AsSpan(Prefix.Length);
        var separator = parts.IndexOf('$');
        if (separator < 0)
        {
            return false;
        }

        Span<byte> salt = stackalloc byte[SaltLength];
        Span<byte> expected = stackalloc byte[MacLength];
        Span<byte> actual = stackalloc byte[MacLength];
        if (!TryDecode(parts[..separator], salt) || !TryDecode(parts[(separator + 1)..], expected))
        {
            return false;
        }

        Compute(salt, secret, actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static void Compute(ReadOnlySpan<byte> salt, string secret, Span<byte> destination)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        try
        {
            HMACSHA256.HashData(salt, bytes, destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static string Base64UrlEncode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    /// <summary>Exactly <paramref name="destination"/>'s length of valid base64url, or false (the Try method throws on a short buffer).</summary>
    private static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination) =>
        System.Buffers.Text.Base64Url.IsValid(text, out var length) && length == destination.Length &&
        System.Buffers.Text.Base64Url.TryDecodeFromChars(text, destination, out var written) && written == destination.Length;
}
