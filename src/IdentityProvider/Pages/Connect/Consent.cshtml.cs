using IdentityProvider.Authorization;
using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;

namespace IdentityProvider.Pages.Connect;

/// <summary>
/// The consent screen of third-party clients (explicit consent): which client asks, for what, in
/// words; 許可する records the decision (<see cref="ConsentGrants"/>), 許可しない answers the client
/// <c>access_denied</c>. Either way the browser goes back to the authorization request with a
/// <see cref="ConsentMarker"/>, where OpenIddict validates the request again. The page trusts the
/// query for display only; the POST is antiforgery-checked and grants only scopes the client may have.
/// </summary>
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ConsentModel(
    IOpenIddictApplicationManager applications,
    UserManager<ApplicationUser> users,
    ConsentGrants grants,
    ConsentMarker markers,
    IStringLocalizer<SharedResource> text) : PageModel
{
    public const string DecisionField = "idp_decision";

    public string ClientName { get; private set; } = string.Empty;

    public IReadOnlyList<string> Scopes { get; private set; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        var parameters = Request.Query.Where(p => p.Key != ConsentMarker.Parameter).ToList();
        if (!User.Identity!.IsAuthenticated)
        {
            // The authorization endpoint asks for the login and comes back here.
            return Redirect(AuthorizeUrl(parameters, marker: null));
        }

        return await ShowAsync(parameters);
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var parameters = Request.Form
            .Where(p => p.Key is not (DecisionField or ConsentMarker.Parameter or "__RequestVerificationToken"))
            .ToList();
        var user = await users.GetUserAsync(User);
        var clientId = Single(parameters, OpenIddictConstants.Parameters.ClientId);
        if (user is null || clientId is null || await applications.FindByClientIdAsync(clientId, HttpContext.RequestAborted) is null)
        {
            return BadRequest();
        }

        var allowed = Request.Form[DecisionField] == "allow";
        if (allowed)
        {
            var scopes = (Single(parameters, OpenIddictConstants.Parameters.Scope) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            await grants.GrantAsync(user, clientId, scopes, HttpContext.RequestAborted);
        }
        else
        {
            await grants.DenyAsync(user, clientId, HttpContext.RequestAborted);
        }

        return LocalRedirect(AuthorizeUrl(parameters, markers.Create(allowed, user.Id, clientId)));
    }

    private async Task<IActionResult> ShowAsync(List<KeyValuePair<string, StringValues>> parameters)
    {
        var clientId = Single(parameters, OpenIddictConstants.Parameters.ClientId);
        var application = clientId is null ? null : await applications.FindByClientIdAsync(clientId, HttpContext.RequestAborted);
        if (application is null || !await grants.IsRequiredAsync(application, HttpContext.RequestAborted))
        {
            return BadRequest();
        }

        ClientName = await applications.GetDisplayNameAsync(application, HttpContext.RequestAborted) ?? clientId!;
        Scopes = (Single(parameters, OpenIddictConstants.Parameters.Scope) ?? string.Empty)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Parameters = parameters.Select(p => KeyValuePair.Create(p.Key, p.Value.ToString())).ToList();
        return Page();
    }

    /// <summary>The scope's description in words, or its name for one this server does not describe.</summary>
    public string Describe(string scope) =>
        scope is OpenIddictConstants.Scopes.OpenId or OpenIddictConstants.Scopes.Email or OpenIddictConstants.Scopes.Profile
            or OpenIddictConstants.Scopes.OfflineAccess or IdpScopes.Admin
            ? text["Consent_Scope_" + scope]
            : scope;

    private static string? Single(IEnumerable<KeyValuePair<string, StringValues>> parameters, string name) =>
        parameters.FirstOrDefault(p => p.Key == name).Value is { Count: 1 } value ? value.ToString() : null;

    private string AuthorizeUrl(IEnumerable<KeyValuePair<string, StringValues>> parameters, string? marker)
    {
        var query = new Microsoft.AspNetCore.Http.Extensions.QueryBuilder(
            parameters.SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? string.Empty))));
        if (marker is not null)
        {
            query.Add(ConsentMarker.Parameter, marker);
        }

        return Request.PathBase + "/connect/authorize" + query.ToQueryString();
    }
}
