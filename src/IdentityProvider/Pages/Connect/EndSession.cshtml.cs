using IdentityProvider.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Server.AspNetCore;

namespace IdentityProvider.Pages.Connect;

/// <summary>
/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). OpenIddict has validated
/// <c>id_token_hint</c> and <c>post_logout_redirect_uri</c>. A request that proves it comes from a
/// relying party of this user (a valid id_token_hint) signs out at once; any other asks the user
/// first, so that a link on a hostile page cannot sign people out (§2, "logout CSRF").
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class EndSessionModel(SignInManager<ApplicationUser> signIn, IAntiforgery antiforgery) : PageModel
{
    public const string ConfirmField = "idp_confirm";

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync() => await DecideAsync(confirmed: false);

    public async Task<IActionResult> OnPostAsync()
    {
        var confirmed = Request.Form.ContainsKey(ConfirmField);
        if (confirmed && !await antiforgery.IsRequestValidAsync(HttpContext))
        {
            return BadRequest();
        }

        return await DecideAsync(confirmed);
    }

    private async Task<IActionResult> DecideAsync(bool confirmed)
    {
        var request = HttpContext.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The end session request cannot be retrieved.");
        var signedIn = User.Identity?.IsAuthenticated == true;
        var hinted = !string.IsNullOrEmpty(request.IdTokenHint);

        if (signedIn && !hinted && !confirmed)
        {
            Parameters = request.GetParameters()
                .Select(p => KeyValuePair.Create(p.Key, p.Value.ToString() ?? string.Empty))
                .Where(p => p.Key != ConfirmField && p.Key != "__RequestVerificationToken")
                .ToList();
            return Page();
        }

        await signIn.SignOutAsync();
        // OpenIddict redirects to post_logout_redirect_uri when one was validated, else here.
        return SignOut(new AuthenticationProperties { RedirectUri = "/Account/SignedOut" }, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
