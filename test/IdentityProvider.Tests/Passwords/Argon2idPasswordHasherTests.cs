using IdentityProvider.Data;
using IdentityProvider.Passwords;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Passwords;

/// <summary>R-7.6: Argon2id hashes in PHC format, legacy PBKDF2 hashes still verify, and every outdated hash asks to be re-hashed.</summary>
public sealed class Argon2idPasswordHasherTests
{
    private const string Password = "Kumo-Sora-2026!x";

    // Written by libargon2 (the reference implementation, not libsodium) with the salt "0123456789abcdef".
    private const string ReferenceOwaspMinimum = "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$9UMVEWyIzsBJYN5zr0e190I31OmIdXmqrUsBpOsOGM4";
    private const string ReferenceWeaker = "$argon2id$v=19$m=8192,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$q/ABHs2+g/ZEQeLOpN2Qmj0ZpD37OViVyWc4JJPqzew";
    private const string ReferenceJapanese = "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$K6Rza8d8IRG3APRlO/l7rXnfMai6SpgDUyAPkZ4Zgo0";

    private static readonly ApplicationUser User = new();

    private static Argon2idPasswordHasher Hasher(int memorySizeKiB = 19456, int iterations = 2) =>
        new(Options.Create(new Argon2idOptions { MemorySizeKiB = memorySizeKiB, Iterations = iterations }));

    [Test]
    public void HashPassword_WritesAPhcStringWithTheConfiguredParameters_AndAFreshSalt()
    {
        var hasher = Hasher();

        var first = hasher.HashPassword(User, Password);
        var second = hasher.HashPassword(User, Password);

        using (Assert.EnterMultipleScope())
        {
            // 16-byte salt and 32-byte hash: 22 and 43 base64 characters without padding.
            Assert.That(first, Does.Match(@"^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$"));
            Assert.That(second, Is.Not.EqualTo(first), "a new salt per hash");
            Assert.That(hasher.VerifyHashedPassword(User, first, Password), Is.EqualTo(PasswordVerificationResult.Success));
            Assert.That(hasher.VerifyHashedPassword(User, first, Password + "x"), Is.EqualTo(PasswordVerificationResult.Failed));
        }
    }

    [Test]
    public void HashPassword_OtherParameters_AreRecordedInTheHash()
    {
        var hash = Hasher(memorySizeKiB: 47104, iterations: 1).HashPassword(User, Password);

        Assert.That(hash, Does.StartWith("$argon2id$v=19$m=47104,t=1,p=1$"));
    }

    [Test]
    public void Verify_HashOfTheReferenceImplementation_Succeeds()
    {
        var hasher = Hasher();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hasher.VerifyHashedPassword(User, ReferenceOwaspMinimum, Password), Is.EqualTo(PasswordVerificationResult.Success));
            Assert.That(hasher.VerifyHashedPassword(User, ReferenceJapanese, "パスワード-Sora1"), Is.EqualTo(PasswordVerificationResult.Success), "UTF-8, like the reference");
            Assert.That(hasher.VerifyHashedPassword(User, ReferenceOwaspMinimum, "kumo-Sora-2026!x"), Is.EqualTo(PasswordVerificationResult.Failed));
        }
    }

    [Test]
    public void Verify_WeakerArgon2idHash_SucceedsAndAsksForARehash()
    {
        var weaker = Hasher(memorySizeKiB: 8192, iterations: 1).HashPassword(User, Password);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Hasher().VerifyHashedPassword(User, weaker, Password), Is.EqualTo(PasswordVerificationResult.SuccessRehashNeeded));
            Assert.That(Hasher().VerifyHashedPassword(User, ReferenceWeaker, Password), Is.EqualTo(PasswordVerificationResult.SuccessRehashNeeded));
            Assert.That(Hasher().VerifyHashedPassword(User, weaker, "Wrong-Password-1"), Is.EqualTo(PasswordVerificationResult.Failed));
        }
    }

    [Test]
    public void Verify_HashOfOtherConfiguredParameters_AsksForARehashToTheConfiguredOnes()
    {
        var stronger = Hasher(memorySizeKiB: 47104, iterations: 1).HashPassword(User, Password);

        Assert.That(Hasher().VerifyHashedPassword(User, stronger, Password), Is.EqualTo(PasswordVerificationResult.SuccessRehashNeeded));
    }

    [TestCase(PasswordHasherCompatibilityMode.IdentityV3, 100_000)]
    [TestCase(PasswordHasherCompatibilityMode.IdentityV3, 10_000)]
    [TestCase(PasswordHasherCompatibilityMode.IdentityV2, 0)]
    public void Verify_Pbkdf2HashOfAspNetCoreIdentity_SucceedsAndAsksForARehash(PasswordHasherCompatibilityMode mode, int iterations)
    {
        var options = new PasswordHasherOptions { CompatibilityMode = mode };
        if (iterations > 0)
        {
            options.IterationCount = iterations;
        }

        var legacy = new PasswordHasher<ApplicationUser>(Options.Create(options)).HashPassword(User, Password);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Hasher().VerifyHashedPassword(User, legacy, Password), Is.EqualTo(PasswordVerificationResult.SuccessRehashNeeded));
            Assert.That(Hasher().VerifyHashedPassword(User, legacy, "Wrong-Password-1"), Is.EqualTo(PasswordVerificationResult.Failed));
        }
    }

    private static IEnumerable<TestCaseData> MalformedHashes()
    {
        const string salt = "MDEyMzQ1Njc4OWFiY2RlZg";
        const string tag = "9UMVEWyIzsBJYN5zr0e190I31OmIdXmqrUsBpOsOGM4";
        var cases = new (string Hash, string Why)[]
        {
            ("", "empty"),
            ("$", "a dollar sign"),
            ("$argon2id$", "the prefix alone"),
            ($"$argon2i$v=19$m=19456,t=2,p=1${salt}${tag}", "Argon2i"),
            ($"$argon2d$v=19$m=19456,t=2,p=1${salt}${tag}", "Argon2d"),
            ($"$argon2id$v=16$m=19456,t=2,p=1${salt}${tag}", "version 1.0"),
            ($"$argon2id$m=19456,t=2,p=1${salt}${tag}", "no version"),
            ($"$argon2id$v=19$m=0,t=2,p=1${salt}${tag}", "no memory"),
            ($"$argon2id$v=19$m=-19456,t=2,p=1${salt}${tag}", "negative memory"),
            ($"$argon2id$v=19$m=99999999999,t=2,p=1${salt}${tag}", "memory overflowing int"),
            ($"$argon2id$v=19$m=4294967295,t=2,p=1${salt}${tag}", "4 GiB of memory"),
            ($"$argon2id$v=19$m=19456,t=0,p=1${salt}${tag}", "no passes"),
            ($"$argon2id$v=19$m=19456,t=4000000000,p=1${salt}${tag}", "billions of passes"),
            ($"$argon2id$v=19$m=19456,t=2,p=4${salt}${tag}", "four lanes"),
            ($"$argon2id$v=19$t=2,m=19456,p=1${salt}${tag}", "parameters out of order"),
            ($"$argon2id$v=19$m=19456,t=2,p=1,keyid=abc${salt}${tag}", "a key id"),
            ($"$argon2id$v=19$m= 19456,t=2,p=1${salt}${tag}", "a space in a number"),
            ($"$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2Rl${tag}", "a 15-byte salt"),
            ($"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ${tag}", "an 8-byte salt"),
            ($"$argon2id$v=19$m=19456,t=2,p=1${salt}$", "no hash"),
            ($"$argon2id$v=19$m=19456,t=2,p=1${salt}$AAAA", "a 3-byte hash"),
            ($"$argon2id$v=19$m=19456,t=2,p=1${salt}$9UMVEWyIzsBJYN5zr0e190I31OmIdXmqrUsBpOsOGM4=", "padding"),
            ($"$argon2id$v=19$m=19456,t=2,p=1${salt}$9UMVEWyIzsBJYN5zr0e190I31OmIdXmqrUsBpOsOG-_", "base64url characters"),
            ($"$argon2id$v=19$m=19456,t=2,p=1${salt}$9UMVEWyIzsBJYN5zr0e1 0I31OmIdXmqrUsBpOsOGM4", "a space in the hash"),
            ($"$argon2id$v=19$m=19456,t=2,p=1${salt}${tag}$", "a trailing segment"),
            ($"$argon2id$v=19$m=19456,t=2,p=1${salt}${tag}A", "a hash of impossible length"),
            ("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "bcrypt"),
            ("not a hash at all", "plain text"),
            ("AA==", "a PBKDF2 v2 marker alone"),
            ("AQ==", "a PBKDF2 v3 marker alone"),
            ("AQAAAAIAAYag", "a truncated PBKDF2 v3 header"),
            ("Zm9vYmFy", "base64 of another version byte"),
            ("AQAAAAIAAYagAAAAE", "broken base64"),
            (Password, "the password itself"),
        };
        return cases.Select(c => new TestCaseData(c.Hash).SetArgDisplayNames(c.Why));
    }

    [TestCaseSource(nameof(MalformedHashes))]
    public void Verify_MalformedStoredHash_FailsWithoutAnException(string stored)
    {
        PasswordVerificationResult result = default;

        Assert.That(() => result = Hasher().VerifyHashedPassword(User, stored, Password), Throws.Nothing);
        Assert.That(result, Is.EqualTo(PasswordVerificationResult.Failed));
    }
}
