using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Hosting;

/// <summary>
/// OIDC Core §3.1.2.1 <c>ui_locales</c>: honoured on the authorization request and on the login
/// page it leads to (where it travels inside the return URL).
/// </summary>
public sealed class UiLocalesRequestCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var value = httpContext.Request.Query["ui_locales"].FirstOrDefault();
        if (value is null && httpContext.Request.Query["ReturnUrl"].FirstOrDefault() is { } returnUrl)
        {
            var queryStart = returnUrl.IndexOf('?', StringComparison.Ordinal);
            if (queryStart >= 0 && QueryHelpers.ParseQuery(returnUrl[queryStart..]).TryGetValue("ui_locales", out var locales))
            {
                value = locales.FirstOrDefault();
            }
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return NullProviderCultureResult;
        }

        var cultures = value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => new Microsoft.Extensions.Primitives.StringSegment(c)).ToList();
        return Task.FromResult<ProviderCultureResult?>(new ProviderCultureResult(cultures, cultures));
    }
}
