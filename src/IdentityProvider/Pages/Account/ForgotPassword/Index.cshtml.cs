using IdentityProvider.Recovery;
using IdentityProvider.Throttling;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Pages.Account.ForgotPassword;

/// <summary>
/// "パスワードを忘れた方はこちら": an address in, the same confirmation out whether or not it
/// is registered (no account enumeration).
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(ThrottledForms.ForgotPassword)]
public sealed class IndexModel(PasswordReset reset) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    /// <summary>The manual's step (1): the address typed on the login page comes along.</summary>
    public void OnGet(string? email) => Input.Email = email?.Trim() ?? string.Empty;

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        await reset.RequestAsync(Input.Email, HttpContext.RequestAborted);
        return RedirectToPage("Sent");
    }
}
