using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace IdentityProvider.Pages;

/// <summary>
/// Errors that cannot go back to the relying party (unknown client, unregistered redirect URI —
/// RFC 6749 §4.1.2.1 forbids redirecting those) and any other failed request.
/// </summary>
[IgnoreAntiforgeryToken]
[ResponseCache(NoStore = true, Location = ResponseCacheLocation.None)]
public sealed class ErrorModel : PageModel
{
    public string? ProtocolError { get; private set; }

    public string? ProtocolErrorDescription { get; private set; }

    public int Status { get; private set; }

    public void OnGet() => Read();

    public void OnPost() => Read();

    private void Read()
    {
        var response = HttpContext.GetOpenIddictServerResponse();
        ProtocolError = response?.Error;
        ProtocolErrorDescription = response?.ErrorDescription;
        Status = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalStatusCode ?? Response.StatusCode;
    }
}
