using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Passwords;

/// <summary>
/// Configuration section <c>Passwords:Argon2id</c>: the cost of the Argon2id hash that stores user
/// passwords (<see cref="Argon2idPasswordHasher"/>, R-7.6). A stored hash records the parameters it
/// was made with; one made with other parameters than these still verifies and is re-hashed with
/// these on the user's next successful sign-in.
/// </summary>
/// <remarks>
/// The default is OWASP's minimum for Argon2id (m = 19 MiB, t = 2, p = 1). Its stronger equivalent
/// (m = 46 MiB, t = 1) costs far more CPU time per hash on the target VM, because touching the
/// larger memory costs more than the pass it saves, and would cut the sign-ins a node serves
/// accordingly; 19 MiB and two passes keep a sign-in's hash near the cost of Identity's PBKDF2
/// hash, which the login's capacity is planned around. Memory grows with the setting times the
/// concurrent hashes, which <c>PasswordHashSlots</c> keeps at the core count.
/// </remarks>
public sealed class Argon2idOptions : IValidatableObject
{
    public const string Section = "Passwords:Argon2id";

    /// <summary>OWASP's smallest memory setting (7 MiB, with five passes).</summary>
    public const int MinMemorySizeKiB = 7 * 1024;

    /// <summary>1 GiB per hash, times the core count at once: beyond it a node runs out of memory before it runs out of time.</summary>
    public const int MaxMemorySizeKiB = 1024 * 1024;

    public const int MaxIterations = 16;

    /// <summary>
    /// OWASP's equivalent Argon2id settings (p = 1): memory in KiB and passes. A configuration must
    /// reach at least one of them in both dimensions.
    /// </summary>
    public static readonly IReadOnlyList<(int MemorySizeKiB, int Iterations)> OwaspMinimums =
    [
        (46 * 1024, 1),
        (19 * 1024, 2),
        (12 * 1024, 3),
        (9 * 1024, 4),
        (7 * 1024, 5),
    ];

    /// <summary>Memory per hash in KiB (Argon2's m).</summary>
    [Range(MinMemorySizeKiB, MaxMemorySizeKiB, ErrorMessage = "Passwords:Argon2id:MemorySizeKiB must be between {1} and {2} (KiB).")]
    public int MemorySizeKiB { get; set; } = 19 * 1024;

    /// <summary>Passes over the memory (Argon2's t).</summary>
    [Range(1, MaxIterations, ErrorMessage = "Passwords:Argon2id:Iterations must be between {1} and {2}.")]
    public int Iterations { get; set; } = 2;

    /// <summary>
    /// Lanes (Argon2's p). Only 1: libsodium computes one lane, and the server already runs one hash
    /// per core at a time, so more lanes would not make a sign-in faster under load.
    /// </summary>
    [Range(1, 1, ErrorMessage = "Passwords:Argon2id:Parallelism must be 1 (libsodium computes a single lane).")]
    public int Parallelism { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!OwaspMinimums.Any(m => MemorySizeKiB >= m.MemorySizeKiB && Iterations >= m.Iterations))
        {
            yield return new ValidationResult(
                $"Passwords:Argon2id: m = {MemorySizeKiB} KiB with t = {Iterations} is below OWASP's minimum for Argon2id; use at least one of "
                + string.Join(", ", OwaspMinimums.Select(m => $"m = {m.MemorySizeKiB} KiB with t = {m.Iterations}")) + ".",
                [nameof(MemorySizeKiB), nameof(Iterations)]);
        }
    }
}
