using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NSec.Cryptography;

namespace IdentityProvider.Passwords;

/// <summary>
/// User passwords as Argon2id (R-7.6; OWASP's first choice), computed by libsodium through NSec,
/// with the parameters of <see cref="Argon2idOptions"/> and a 16-byte random salt per hash, stored
/// as a PHC string (<see cref="Argon2idHash"/>). Every path that sets or checks a password goes
/// through Identity's <see cref="IPasswordHasher{TUser}"/>, so this is the only place that hashes.
/// <para>
/// Hashes written before by ASP.NET Core Identity's PBKDF2 hasher (its v2 and v3 formats) still
/// verify, and so do Argon2id hashes made with other parameters; both answer
/// <see cref="PasswordVerificationResult.SuccessRehashNeeded"/>, on which the sign-in stores a new
/// hash with the configured parameters. A stored value that is neither fails verification.
/// </para>
/// </summary>
public sealed class Argon2idPasswordHasher(IOptions<Argon2idOptions> options) : IPasswordHasher<ApplicationUser>
{
    /// <summary>32 bytes: a 256-bit tag, as libsodium's own password strings have.</summary>
    public const int HashSize = 32;

    /// <summary>Identity's PBKDF2 hasher with its defaults, for the hashes it wrote; it never writes one here.</summary>
    private static readonly PasswordHasher<ApplicationUser> Pbkdf2 = new();

    private readonly Argon2idOptions settings = options.Value;

    public string HashPassword(ApplicationUser user, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var salt = RandomNumberGenerator.GetBytes(Argon2idHash.SaltSize);
        var hash = Derive(password, settings.MemorySizeKiB, settings.Iterations, salt, HashSize);
        return new Argon2idHash(settings.MemorySizeKiB, settings.Iterations, settings.Parallelism, salt, hash).ToString();
    }

    public PasswordVerificationResult VerifyHashedPassword(ApplicationUser user, string hashedPassword, string providedPassword)
    {
        ArgumentNullException.ThrowIfNull(hashedPassword);
        ArgumentNullException.ThrowIfNull(providedPassword);
        if (!hashedPassword.StartsWith('$'))
        {
            return VerifyPbkdf2(user, hashedPassword, providedPassword);
        }

        if (!Argon2idHash.TryParse(hashedPassword, out var stored))
        {
            return PasswordVerificationResult.Failed;
        }

        var computed = Derive(providedPassword, stored.MemorySizeKiB, stored.Iterations, stored.Salt, stored.Hash.Length);
        if (!CryptographicOperations.FixedTimeEquals(computed, stored.Hash))
        {
            return PasswordVerificationResult.Failed;
        }

        return IsCurrent(stored) ? PasswordVerificationResult.Success : PasswordVerificationResult.SuccessRehashNeeded;
    }

    /// <summary>Made with exactly the configured parameters: any other setting, weaker or not, converges to the configured one.</summary>
    private bool IsCurrent(Argon2idHash stored) =>
        stored.MemorySizeKiB == settings.MemorySizeKiB
        && stored.Iterations == settings.Iterations
        && stored.Parallelism == settings.Parallelism
        && stored.Hash.Length == HashSize;

    private static PasswordVerificationResult VerifyPbkdf2(ApplicationUser user, string hashedPassword, string providedPassword)
    {
        // Identity's format is base64 of a version byte and the rest; its verifier throws on text that is not base64.
        if (!Convert.TryFromBase64String(hashedPassword, new byte[hashedPassword.Length], out _))
        {
            return PasswordVerificationResult.Failed;
        }

        return Pbkdf2.VerifyHashedPassword(user, hashedPassword, providedPassword) == PasswordVerificationResult.Failed
            ? PasswordVerificationResult.Failed
            : PasswordVerificationResult.SuccessRehashNeeded;
    }

    private static byte[] Derive(string password, int memorySizeKiB, int iterations, byte[] salt, int length)
    {
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memorySizeKiB,
            NumberOfPasses = iterations,
        });
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return algorithm.DeriveBytes(bytes, salt, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
