using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Login;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Pages.Account;

/// <summary>The hosted login page: e-mail and password.</summary>
[AllowAnonymous]
public sealed partial class LoginModel(
    PasswordSignIn passwordSignIn,
    IOptions<LoginPageOptions> options,
    IStringLocalizer<SharedResource> text,
    ILogger<LoginModel> logger) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>The error is the lock message: the page then points to the password reset.</summary>
    public bool Locked { get; private set; }

    public LoginPageOptions Features => options.Value;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await passwordSignIn.SignInAsync(Input.Email, Input.Password, HttpContext.RequestAborted);
        if (!result.Succeeded)
        {
            LogSignInRejected(logger, result.Outcome);
            // the locked answer is given for unregistered addresses too (see PasswordSignInResult).
            Locked = result.ShowLocked;
            Error = text[result.ShowLocked ? "Login_Error_Locked" : "Login_Error_Invalid"];
            return Page();
        }

        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "~/");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Password sign-in rejected: {Outcome}")]
    private static partial void LogSignInRejected(ILogger logger, PasswordSignInOutcome outcome);
}
