using System.Text.RegularExpressions;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Lockout;

namespace IdentityProvider.Tests.PasswordReset;

/// <summary>The steps of the flow as a browser takes them, for the tests of this folder.</summary>
internal static partial class ResetFlow
{
    public const string NewPassword = "Aozora-Kumo-2027#q";

    public static async Task<HttpResponseMessage> RequestAsync(TestBrowser browser, string email)
    {
        var form = await (await browser.GetAsync("/Account/ForgotPassword")).Content.ReadAsStringAsync();
        return await browser.SubmitFormAsync("/Account/ForgotPassword", form, new Dictionary<string, string> { ["Input.Email"] = email });
    }

    /// <summary>Requests a reset for <paramref name="email"/> and returns the link of the newest reset mail.</summary>
    public static async Task<string> RequestLinkAsync(IdpTestHost host, string email)
    {
        using var browser = host.CreateBrowser();
        using var response = await RequestAsync(browser, email);
        var mail = (await QueuedMail.ForAsync(host, email, "PasswordReset")).Last();
        return QueuedMail.LinkIn(mail.TextBody, "/Account/ResetPassword");
    }

    /// <summary>Opens the link and posts the form; returns the response to the post.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(TestBrowser browser, string link, string password, string? confirmation = null) =>
        await SubmitFormAsync(browser, await (await browser.GetAsync(link)).Content.ReadAsStringAsync(), password, confirmation);

    /// <summary>Posts a form opened earlier (e.g. before the clock moved).</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(TestBrowser browser, string form, string password, string? confirmation = null)
    {
        var token = TokenField().Match(form);
        Assert.That(token.Success, Is.True, () => "the reset form:\n" + form);
        return await browser.SubmitFormAsync("/Account/ResetPassword", form, new Dictionary<string, string>
        {
            ["Token"] = token.Groups[1].Value,
            ["Input.NewPassword"] = password,
            ["Input.ConfirmPassword"] = confirmation ?? password,
        });
    }

    public static async Task LockAsync(IdpTestHost host, TestUser user)
    {
        using var browser = host.CreateBrowser();
        for (var i = 1; i <= 10; i++)
        {
            await LoginAnswer.AttemptAsync(browser, user.Email, "Wrong-Password-" + i);
        }
    }

    [GeneratedRegex("name=\"Token\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
