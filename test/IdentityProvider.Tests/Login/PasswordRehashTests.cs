using IdentityProvider.Data;
using IdentityProvider.Passwords;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Lockout;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Login;

/// <summary>
/// through the real login page: a password stored under an older hash (Identity's PBKDF2, or
/// Argon2id with weaker parameters) still signs in, and that sign-in stores an Argon2id hash with the
/// configured parameters; a wrong password changes nothing, and a damaged hash is a wrong password.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class PasswordRehashTests(DatabaseKind kind) : HostFixture(kind)
{
    private const string Configured = "$argon2id$v=19$m=19456,t=2,p=1$";

    [Test]
    public async Task SignIn_Pbkdf2Hash_SignsInAndStoresAnArgon2idHash()
    {
        var user = await Host.CreateUserAsync();
        var pbkdf2 = new PasswordHasher<ApplicationUser>().HashPassword(new ApplicationUser(), user.Password);
        await UserRecords.UpdateAsync(Host, user.Email, u => u.PasswordHash = pbkdf2);
        var before = await UserRecords.FindAsync(Host, user.Email);
        using var browser = Host.CreateBrowser();

        var answer = await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);

        var after = await UserRecords.FindAsync(Host, user.Email);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Kind, Is.EqualTo(LoginAnswer.SignedIn));
            Assert.That(before.PasswordHash, Does.Not.StartWith("$"), "set up with Identity's PBKDF2 format");
            Assert.That(after.PasswordHash, Does.StartWith(Configured));
            Assert.That(Hasher().VerifyHashedPassword(after, after.PasswordHash!, user.Password), Is.EqualTo(PasswordVerificationResult.Success));
            Assert.That(after.SecurityStamp, Is.EqualTo(before.SecurityStamp), "the same password: sessions and links stay valid");
        }

        using var again = Host.CreateBrowser();
        Assert.That((await LoginAnswer.AttemptAsync(again, user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn), "the new hash signs in");
        Assert.That((await UserRecords.FindAsync(Host, user.Email)).PasswordHash, Is.EqualTo(after.PasswordHash), "a current hash is not rewritten");
    }

    [Test]
    public async Task SignIn_Pbkdf2Hash_WrongPassword_KeepsTheHash()
    {
        var user = await Host.CreateUserAsync();
        var pbkdf2 = new PasswordHasher<ApplicationUser>().HashPassword(new ApplicationUser(), user.Password);
        await UserRecords.UpdateAsync(Host, user.Email, u => u.PasswordHash = pbkdf2);
        using var browser = Host.CreateBrowser();

        var answer = await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-1");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Kind, Is.EqualTo(LoginAnswer.Invalid));
            Assert.That((await UserRecords.FindAsync(Host, user.Email)).PasswordHash, Is.EqualTo(pbkdf2));
        }
    }

    [Test]
    public async Task SignIn_WeakerArgon2idHash_IsUpgradedToTheConfiguredParameters()
    {
        var user = await Host.CreateUserAsync();
        var weaker = Hasher(memorySizeKiB: 8192, iterations: 1).HashPassword(new ApplicationUser(), user.Password);
        await UserRecords.UpdateAsync(Host, user.Email, u => u.PasswordHash = weaker);
        using var browser = Host.CreateBrowser();

        var answer = await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);

        var after = await UserRecords.FindAsync(Host, user.Email);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Kind, Is.EqualTo(LoginAnswer.SignedIn));
            Assert.That(weaker, Does.StartWith("$argon2id$v=19$m=8192,t=1,p=1$"));
            Assert.That(after.PasswordHash, Does.StartWith(Configured));
            Assert.That(Hasher().VerifyHashedPassword(after, after.PasswordHash!, user.Password), Is.EqualTo(PasswordVerificationResult.Success));
        }
    }

    [TestCase("$argon2id$v=19$m=19456,t=2,p=1$broken")]
    [TestCase("$argon2id$v=19$m=4294967295,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$9UMVEWyIzsBJYN5zr0e190I31OmIdXmqrUsBpOsOGM4")]
    [TestCase("not base64 at all!")]
    [TestCase("AQAAAAIAAYag")]
    public async Task SignIn_MalformedStoredHash_IsAWrongPasswordNotAnError(string damaged)
    {
        var user = await Host.CreateUserAsync();
        await UserRecords.UpdateAsync(Host, user.Email, u => u.PasswordHash = damaged);
        using var browser = Host.CreateBrowser();

        var answer = await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((int)answer.Status, Is.EqualTo(200));
            Assert.That(answer.Kind, Is.EqualTo(LoginAnswer.Invalid));
            Assert.That(answer.Message, Is.EqualTo(LoginAnswer.InvalidMessageJa));
            Assert.That((await UserRecords.FindAsync(Host, user.Email)).PasswordHash, Is.EqualTo(damaged));
        }
    }

    [Test]
    public async Task CreateUser_StoresAnArgon2idHashWithTheConfiguredParameters()
    {
        var user = await Host.CreateUserAsync();

        Assert.That((await UserRecords.FindAsync(Host, user.Email)).PasswordHash, Does.StartWith(Configured));
    }

    private static Argon2idPasswordHasher Hasher(int memorySizeKiB = 19456, int iterations = 2) =>
        new(Options.Create(new Argon2idOptions { MemorySizeKiB = memorySizeKiB, Iterations = iterations }));
}
