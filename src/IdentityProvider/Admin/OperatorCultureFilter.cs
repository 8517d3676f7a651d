using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace IdentityProvider.Admin;

/// <summary>
/// Operators read English, as on the command line, unless their client asks for a language
/// (Accept-Language). Without this the site-wide default, Japanese for end users, put Japanese
/// password-policy messages inside otherwise English problem details.
/// </summary>
public sealed class OperatorCultureFilter : IEndpointFilter
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // No provider: request localization fell back to the default culture, nobody asked for it.
        if (context.HttpContext.Features.Get<IRequestCultureFeature>()?.Provider is null)
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = English;
        }

        return next(context);
    }
}
