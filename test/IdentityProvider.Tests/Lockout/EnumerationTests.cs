using System.Diagnostics;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Lockout;

/// <summary>
/// without account enumeration: an address that does not exist gets, attempt by attempt, the
/// answer a real account gets (including "locked" from the tenth on), in about the same time.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class EnumerationTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task UnknownAddress_AnswersEveryAttemptLikeARealAccount_LockedFromTheTenth()
    {
        var user = await Host.CreateUserAsync();
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";
        using var browser = Host.CreateBrowser();

        for (var i = 1; i <= 12; i++)
        {
            var real = await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-" + i);
            var fake = await LoginAnswer.AttemptAsync(browser, nobody, "Wrong-Password-" + i);
            Assert.That(fake, Is.EqualTo(real), $"attempt {i}");
            Assert.That(real.Kind, Is.EqualTo(i < 10 ? LoginAnswer.Invalid : LoginAnswer.Locked), $"attempt {i}");
        }

        Assert.That(await QueuedMail.ForAsync(Host, nobody), Is.Empty, "nobody to mail");
    }

    [Test]
    public async Task AddressOfAnotherLoginMethod_AnswersLikeAPasswordAccount()
    {
        var user = await Host.CreateUserAsync();
        await UserRecords.UpdateAsync(Host, user.Email, u => u.LoginMethod = IdentityProvider.Data.LoginMethod.Google);
        var reference = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();

        for (var i = 1; i <= 10; i++)
        {
            var google = await LoginAnswer.AttemptAsync(browser, user.Email, user.Password);
            var password = await LoginAnswer.AttemptAsync(browser, reference.Email, "Wrong-Password-" + i);
            Assert.That(google, Is.EqualTo(password), $"attempt {i}");
        }
    }

    [Test]
    public async Task UnknownAddress_TakesAsLongAsARealAccount()
    {
        var user = await Host.CreateUserAsync();
        var nobody = $"nobody-{Guid.NewGuid():N}@example.test";
        using var browser = Host.CreateBrowser();
        var form = await (await browser.GetAsync("/Account/Login")).Content.ReadAsStringAsync();
        // First calls warm up code paths and caches on both sides.
        await TimeAsync(browser, form, user.Email);
        await TimeAsync(browser, form, nobody);

        var real = new List<double>();
        var fake = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            // Interleaved, so that a change in machine load hits both sides alike.
            real.Add(await TimeAsync(browser, form, user.Email));
            fake.Add(await TimeAsync(browser, form, nobody));
        }

        var ratio = Median(fake) / Median(real);
        await TestContext.Out.WriteLineAsync($"{Kind}: wrong password, median of 8: registered {Median(real):F1} ms, unknown {Median(fake):F1} ms, ratio {ratio:F2}");
        // The hash of the password dominates both; skipping it for unknown addresses would show as a ratio near 0.1.
        Assert.That(ratio, Is.InRange(0.5, 2.0));
    }

    private static async Task<double> TimeAsync(TestBrowser browser, string form, string email)
    {
        var watch = Stopwatch.StartNew();
        using var response = await browser.SubmitFormAsync("/Account/Login", form, new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Wrong-Password",
        });
        await response.Content.ReadAsStringAsync();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }
}
