using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Lockout;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Lockout;

/// <summary>R-7.3 through HTTP: ten consecutive wrong passwords lock, the right one resets the count, a lock holds.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class LockoutTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task NineWrongPasswords_DoNotLock_TheTenthLocksAndQueuesOneUnlockMail()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        for (var i = 1; i <= 9; i++)
        {
            var answer = await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-" + i);
            Assert.That(answer.Kind, Is.EqualTo(LoginAnswer.Invalid), $"attempt {i}");
        }

        var afterNine = await UserRecords.FindAsync(Host, user.Email);
        Assert.Multiple(() =>
        {
            Assert.That(afterNine.AccessFailedCount, Is.EqualTo(9));
            Assert.That(afterNine.LockedAt, Is.Null);
        });
        Assert.That(await QueuedMail.ForAsync(Host, user.Email), Is.Empty, "no mail before the lock");

        var tenth = await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-10");

        var locked = await UserRecords.FindAsync(Host, user.Email);
        var mails = await QueuedMail.ForAsync(Host, user.Email);
        Assert.Multiple(() =>
        {
            Assert.That(tenth.Kind, Is.EqualTo(LoginAnswer.Locked));
            Assert.That(tenth.Message, Does.StartWith(LoginAnswer.LockedMessageJa).And.Contain("メールで送信しました"));
            Assert.That(locked.AccessFailedCount, Is.EqualTo(10));
            Assert.That(locked.LockedAt, Is.EqualTo(Host.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(mails.Select(m => m.Subject), Is.EqualTo(new[] { "【どこでもBOX】アカウントロック" }));
            Assert.That(mails[0].TextBody, Does.Contain("https://localhost/Account/Unlock?token="));
        });
    }

    [Test]
    public async Task LockedAccount_RightPassword_IsRefusedWithTheLockMessage_AndCountsNothing()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        await LockAsync(browser, user);

        var answer = await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);
        var again = await LoginAnswer.AttemptAsync(browser, user.Email, "Still-Wrong-1");

        var record = await UserRecords.FindAsync(Host, user.Email);
        Assert.Multiple(() =>
        {
            Assert.That(answer.Kind, Is.EqualTo(LoginAnswer.Locked));
            Assert.That(again.Kind, Is.EqualTo(LoginAnswer.Locked));
            Assert.That(record.AccessFailedCount, Is.EqualTo(10), "a locked account counts no further");
            Assert.That(browser.Cookies.GetCookies(Host.BaseAddress)["idp.session"], Is.Null, "no session");
        });
        Assert.That(await QueuedMail.ForAsync(Host, user.Email), Has.Count.EqualTo(1), "one mail per lock, not per attempt");
    }

    [Test]
    public async Task AdministrativelyLockedAccount_RightPassword_IsRefusedLikeAWrongOne_UntilTheLockEnds()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        Task LockUntilAsync(DateTimeOffset end) => Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Users
            .Where(u => u.Email == user.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, end)));

        await LockUntilAsync(Host.Clock.GetUtcNow().AddHours(1));
        var locked = await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);
        await LockUntilAsync(Host.Clock.GetUtcNow().AddMinutes(-1));
        var after = await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);

        Assert.Multiple(() =>
        {
            Assert.That(locked.Kind, Is.EqualTo(LoginAnswer.Invalid), "no lock message: the unlock mail does not exist for this lock");
            Assert.That(locked.Message, Is.EqualTo(LoginAnswer.InvalidMessageJa));
            Assert.That(after.Kind, Is.EqualTo(LoginAnswer.SignedIn));
        });
    }

    [Test]
    public async Task RightPassword_ResetsTheCount_SoFailuresMustBeConsecutive()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        for (var i = 0; i < 9; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-" + i);
        }

        Assert.That((await LoginAnswer.AttemptAsync(browser, user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn));
        Assert.That((await UserRecords.FindAsync(Host, user.Email)).AccessFailedCount, Is.Zero);

        using var other = Host.CreateBrowser();
        for (var i = 0; i < 9; i++)
        {
            Assert.That((await LoginAnswer.AttemptAsync(other, user.Email, "Wrong-again-" + i)).Kind, Is.EqualTo(LoginAnswer.Invalid));
        }

        Assert.That((await UserRecords.FindAsync(Host, user.Email)).LockedAt, Is.Null);
    }

    [Test]
    public async Task PasswordFailures_AndOneTimeCodeFailures_AreCountedApart()
    {
        var user = await Host.CreateUserAsync();
        await UserRecords.UpdateAsync(Host, user.Email, u => u.FailedOneTimeCodeCount = 4);
        using var browser = Host.CreateBrowser();

        for (var i = 0; i < 3; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-" + i);
        }

        var afterFailures = await UserRecords.FindAsync(Host, user.Email);
        await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);
        var afterSuccess = await UserRecords.FindAsync(Host, user.Email);
        Assert.Multiple(() =>
        {
            Assert.That(afterFailures.AccessFailedCount, Is.EqualTo(3));
            Assert.That(afterFailures.FailedOneTimeCodeCount, Is.EqualTo(4), "wrong passwords leave the code counter alone");
            Assert.That(afterSuccess.AccessFailedCount, Is.Zero);
            Assert.That(afterSuccess.FailedOneTimeCodeCount, Is.EqualTo(4), "a right password is not a right code");
        });
    }

    [Test]
    public async Task Lock_IsAudited_SignInFailuresCarryTheirReason()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        await LockAsync(browser, user);
        await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);

        var events = await UserRecords.AuditAsync(Host, user.Email);
        var signIns = events.Where(e => e.Kind == nameof(AuditKind.SignIn)).Select(e => e.Reason).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(signIns.Take(9), Is.All.EqualTo("WrongPassword"));
            Assert.That(signIns[9], Is.EqualTo("WrongPassword, locked"));
            Assert.That(signIns[10], Is.EqualTo("LockedOut"));
            Assert.That(events.Count(e => e.Kind == nameof(AuditKind.AccountLocked)), Is.EqualTo(1));
            Assert.That(events.Where(e => e.Kind == nameof(AuditKind.SignIn)).Select(e => e.Outcome), Is.All.EqualTo("Failure"));
        });
    }

    [Test]
    public async Task LockedAccount_KeepsItsRefreshTokensAndSession_OnlyPasswordSignInStops()
    {
        var user = await Host.CreateUserAsync();
        using var owner = Host.CreateBrowser();
        Assert.That((await LoginAnswer.AttemptAsync(owner, user.Email, user.Password)).Kind, Is.EqualTo(LoginAnswer.SignedIn));

        using var attacker = Host.CreateBrowser();
        await LockAsync(attacker, user);

        // The owner's session still answers as signed in: an attacker who knows the address cannot end it.
        using var home = await owner.GetAsync("/");
        Assert.That(await home.Content.ReadAsStringAsync(), Does.Contain(user.Email));
    }

    [Test]
    public async Task DeviceCookies_AreOffByDefault()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);

        Assert.That(browser.Cookies.GetAllCookies().Select(c => c.Name), Does.Not.Contain(DeviceCookies.CookieName));
    }

    private static async Task LockAsync(TestBrowser browser, TestUser user)
    {
        for (var i = 1; i <= 10; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-" + i);
        }
    }
}
