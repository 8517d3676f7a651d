using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// WCAG 2.2 contrast ratios ("contrast ratio", "relative luminance" in the glossary) computed from
/// what the browser really applied: text against the first opaque background behind it, or a focus
/// outline against the background around the element.
/// </summary>
public static class TextContrast
{
    // Backgrounds are looked up through transparent ancestors; no gradients or images on these pages.
    private const string Script = """
        (e, outline) => {
          const rgb = c => c.match(/[\d.]+/g).map(Number);
          const lum = ([r, g, b]) => {
            const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          let bg = null;
          for (let n = outline ? e.parentElement : e; n && !bg; n = n.parentElement) {
            const c = rgb(getComputedStyle(n).backgroundColor);
            if (c.length < 4 || c[3] === 1) { bg = c; }
          }
          bg = bg || [255, 255, 255];
          const style = getComputedStyle(e);
          const a = lum(rgb(outline ? style.outlineColor : style.color)), b = lum(bg);
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }
        """;

    /// <summary>Text colour against its background; WCAG 1.4.3 asks 4.5:1 for normal text.</summary>
    public static Task<double> RatioAsync(ILocator element) => element.EvaluateAsync<double>(Script, false);

    /// <summary>Outline colour against the background around the element; WCAG 1.4.11 asks 3:1.</summary>
    public static Task<double> OutlineRatioAsync(ILocator element) => element.EvaluateAsync<double>(Script, true);
}
