using System.Globalization;

namespace IdentityProvider.Passwords;

/// <summary>
/// A stored Argon2id hash in the PHC string format that libsodium and the reference implementation
/// write, <c>$argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;</c> (salt and hash in base64
/// without padding): self-describing, so that a change of <see cref="Argon2idOptions"/> leaves
/// every older hash verifiable.
/// </summary>
internal sealed record Argon2idHash(int MemorySizeKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash)
{
    public const string Prefix = "$argon2id$";

    /// <summary>Argon2 version 1.3 (0x13), the only one libsodium computes.</summary>
    private const int Version = 19;

    /// <summary>libsodium takes exactly this salt length.</summary>
    public const int SaltSize = 16;

    /// <summary>libsodium's shortest output; longer than 64 bytes adds nothing to a password hash.</summary>
    private const int MinHashSize = 16;
    private const int MaxHashSize = 64;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}v={Version}$m={MemorySizeKiB},t={Iterations},p={Parallelism}${Encode(Salt)}${Encode(Hash)}");

    /// <summary>
    /// Reads a stored hash; false for anything that is not one this server can verify (another
    /// version, another salt length, parameters out of the configurable range, broken base64),
    /// without an exception, so that a damaged row fails the sign-in rather than the request.
    /// </summary>
    public static bool TryParse(string text, out Argon2idHash hash)
    {
        hash = null!;
        // "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
        var parts = text.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != $"v={Version}")
        {
            return false;
        }

        var parameters = parts[3].Split(',');
        if (parameters.Length != 3
            || !TryReadParameter(parameters[0], "m=", out var memory) || memory is < 8 or > Argon2idOptions.MaxMemorySizeKiB
            || !TryReadParameter(parameters[1], "t=", out var iterations) || iterations is < 1 or > Argon2idOptions.MaxIterations
            || !TryReadParameter(parameters[2], "p=", out var parallelism) || parallelism != 1)
        {
            return false;
        }

        if (!TryDecode(parts[4], out var salt) || salt.Length != SaltSize
            || !TryDecode(parts[5], out var derived) || derived.Length is < MinHashSize or > MaxHashSize)
        {
            return false;
        }

        hash = new Argon2idHash(memory, iterations, parallelism, salt, derived);
        return true;
    }

    private static bool TryReadParameter(string text, string name, out int value)
    {
        value = 0;
        return text.StartsWith(name, StringComparison.Ordinal)
            && text.Length > name.Length
            && text.Length <= name.Length + 10
            && int.TryParse(text.AsSpan(name.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    /// <summary>Standard base64 alphabet without padding, as PHC strings use; nothing else is accepted.</summary>
    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 == 1 || text.Length > 4 * MaxHashSize)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '/')
            {
                return false;
            }
        }

        var padded = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
