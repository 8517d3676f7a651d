using IdentityProvider.Links;
using IdentityProvider.Lockout;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages.Account.Unlock;

/// <summary>
/// The link of the lock mail. GET only asks: mail scanners and link previews open links,
/// and must not spend a single-use link. The button's POST unlocks.
/// </summary>
[AllowAnonymous]
public sealed class IndexModel(AccountLockout lockout) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Token { get; set; }

    public LinkProblem? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var link = await lockout.CheckLinkAsync(Token, HttpContext.RequestAborted);
        return link.Status == LinkRedemptionStatus.Valid ? Page() : ShowProblem(link.Status);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var status = await lockout.UnlockWithLinkAsync(Token, HttpContext.RequestAborted);
        return status == LinkRedemptionStatus.Valid ? RedirectToPage("Done") : ShowProblem(status);
    }

    private PageResult ShowProblem(LinkRedemptionStatus status)
    {
        Problem = new LinkProblem(status, IsUnlock: true);
        Response.StatusCode = Problem.StatusCode;
        return Page();
    }
}
