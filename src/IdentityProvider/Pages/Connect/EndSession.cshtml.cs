using IdentityProvider.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;

namespace IdentityProvider.Pages.Connect;

/// <summary>
/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). OpenIddict has validated
/// <c>post_logout_redirect_uri</c>, and the <c>id_token_hint</c>'s signature, issuer and type (and
/// its audience, when a client_id is given). A request that proves it comes from a relying party
/// of this very user — a valid hint whose <c>sub</c> is the session's user — signs out at once;
/// any other (no hint, garbage, another user's token) asks the user first, so that a link on a
/// hostile page cannot sign people out (§2, "logout CSRF"). OpenIddict answers some invalid hints
/// with its error page itself; that signs nobody out either.
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
        if (signedIn && !confirmed && !await HintNamesTheSessionUserAsync(request.IdTokenHint))
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

    /// <summary>The hint OpenIddict validated (null when absent or invalid) is an ID token of the signed-in user.</summary>
    private async Task<bool> HintNamesTheSessionUserAsync(string? hint)
    {
        if (string.IsNullOrEmpty(hint))
        {
            return false;
        }

        var validated = (await HttpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var userId = signIn.UserManager.GetUserId(User);
        return validated is not null && userId is not null
            && string.Equals(validated.GetClaim(OpenIddictConstants.Claims.Subject), userId, StringComparison.Ordinal);
    }
}
