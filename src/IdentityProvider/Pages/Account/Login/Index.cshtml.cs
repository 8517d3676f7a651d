using IdentityProvider.Login;
using IdentityProvider.Throttling;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Pages.Account.Login;

/// <summary>The hosted login page: e-mail and password.</summary>
[AllowAnonymous]
[EnableRateLimiting(ThrottledForms.Login)]
public sealed partial class IndexModel(
    PasswordSignIn passwordSignIn,
    IOptions<LoginPageOptions> options,
    IStringLocalizer<SharedResource> text,
    ILogger<IndexModel> logger) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public ViewModel View { get; private set; } = ViewModel.For(options.Value);

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
            View = ViewModel.For(options.Value, text[result.ShowLocked ? "Login_Error_Locked" : "Login_Error_Invalid"], result.ShowLocked);
            return Page();
        }

        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "~/");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Password sign-in rejected: {Outcome}")]
    private static partial void LogSignInRejected(ILogger logger, PasswordSignInOutcome outcome);
}
