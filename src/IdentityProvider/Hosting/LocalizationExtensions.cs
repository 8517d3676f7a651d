using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;

namespace IdentityProvider.Hosting;

public static class LocalizationExtensions
{
    /// <summary>Japanese first; English when the browser (or the RP's <c>ui_locales</c>) asks for it.</summary>
    public static readonly CultureInfo[] Cultures = [new("ja"), new("en")];

    public static IHostApplicationBuilder AddIdpLocalization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");

        // Pages write Japanese as characters, not as numeric character references: the default
        // HTML encoder lets only Basic Latin through, which tripled the size of every page. It still
        // encodes '<', '>', '&', quotes and '+' whatever the ranges, and every character outside
        // them. Only the HTML encoder: URLs and JavaScript strings keep their ASCII-only encoding.
        builder.Services.AddSingleton(HtmlEncoder.Create(
            UnicodeRanges.BasicLatin,
            UnicodeRanges.GeneralPunctuation,
            UnicodeRanges.CjkSymbolsandPunctuation,
            UnicodeRanges.Hiragana,
            UnicodeRanges.Katakana,
            UnicodeRanges.KatakanaPhoneticExtensions,
            UnicodeRanges.CjkUnifiedIdeographs,
            UnicodeRanges.CjkCompatibilityIdeographs,
            UnicodeRanges.HalfwidthandFullwidthForms));
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
