using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace IdentityProvider.Hosting;

public static class LocalizationExtensions
{
    /// <summary>Japanese first; English when the browser (or the RP's <c>ui_locales</c>) asks for it.</summary>
    public static readonly CultureInfo[] Cultures = [new("ja"), new("en")];

    public static IHostApplicationBuilder AddIdpLocalization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            options.DefaultRequestCulture = new RequestCulture(Cultures[0]);
            options.SupportedCultures = Cultures;
            options.SupportedUICultures = Cultures;
            options.FallBackToParentCultures = true;
            options.FallBackToParentUICultures = true;
            options.RequestCultureProviders =
            [
                new UiLocalesRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }
}
