using IdentityProvider.Links;
using IdentityProvider.Recovery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account.ResetPassword;

/// <summary>
/// リセットパスワード: the mailed link opens a form for the new password; the link is used
/// only when a valid password is posted. A link that no longer works says why.
/// </summary>
[AllowAnonymous]
public sealed class IndexModel(PasswordReset reset) : PageModel
{
    /// <summary>From the mail's URL on GET; from a hidden field on POST, so it is not in the posted URL.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public LinkProblem? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var link = await reset.CheckLinkAsync(Token, HttpContext.RequestAborted);
        return link.Status == LinkRedemptionStatus.Valid ? Page() : ShowProblem(link.Status);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            var link = await reset.CheckLinkAsync(Token, HttpContext.RequestAborted);
            return link.Status == LinkRedemptionStatus.Valid ? Page() : ShowProblem(link.Status);
        }

        var result = await reset.CompleteAsync(Token, Input.NewPassword, HttpContext.RequestAborted);
        if (result.LinkStatus != LinkRedemptionStatus.Valid)
        {
            return ShowProblem(result.LinkStatus);
        }

        foreach (var error in result.PasswordErrors)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(InputModel.NewPassword)}", error);
        }

        return result.Succeeded ? RedirectToPage("Done") : Page();
    }

    private PageResult ShowProblem(LinkRedemptionStatus status)
    {
        Problem = new LinkProblem(status, IsUnlock: false);
        Response.StatusCode = Problem.StatusCode;
        return Page();
    }
}
