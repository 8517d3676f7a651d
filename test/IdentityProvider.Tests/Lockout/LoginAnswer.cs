using System.Net;
using System.Text.RegularExpressions;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Lockout;

/// <summary>What the login page answered to one attempt, read from its stable ids.</summary>
public sealed partial record LoginAnswer(HttpStatusCode Status, string Kind, string? Message)
{
    public const string SignedIn = "signed-in";
    public const string Invalid = "invalid";
    public const string Locked = "locked";

    public const string LockedMessageJa = "ログインが規定回数以上失敗したため、アカウントをロックしました。";
    public const string InvalidMessageJa = "メールアドレスまたはパスワードが正しくありません。";

    public static async Task<LoginAnswer> AttemptAsync(TestBrowser browser, string email, string password)
    {
        using var response = await browser.LoginAsync("/Account/Login", email, password);
        return await ReadAsync(response);
    }

    public static async Task<LoginAnswer> ReadAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            return new LoginAnswer(response.StatusCode, SignedIn, null);
        }

        var html = await response.Content.ReadAsStringAsync();
        var error = ErrorDiv().Match(html);
        Assert.That(error.Success, Is.True, () => $"no login error in {(int)response.StatusCode}:\n{html}");
        var message = WebUtility.HtmlDecode(error.Groups["message"].Value);
        return new LoginAnswer(response.StatusCode, error.Groups["locked"].Value == "true" ? Locked : Invalid, message);
    }

    [GeneratedRegex("id=\"login-error\" data-testid=\"login-error\" data-locked=\"(?<locked>true|false)\">(?<message>[^<]*)</div>")]
    private static partial Regex ErrorDiv();
}
