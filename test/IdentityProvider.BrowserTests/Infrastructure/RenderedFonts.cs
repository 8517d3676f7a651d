using Microsoft.Playwright;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// Which fonts Chromium really used to draw an element's text (DevTools protocol,
/// <c>CSS.getPlatformFontsForNode</c>): a screenshot full of boxes still has the right DOM text,
/// so only the renderer can tell whether Japanese glyphs were drawn.
/// </summary>
public static class RenderedFonts
{
    /// <summary>The Japanese fonts of the site.css font stack (Noto Sans CJK JP on Debian: fonts-noto-cjk).</summary>
    public static readonly string[] JapaneseFamilies =
        ["Hiragino Kaku Gothic ProN", "Hiragino Sans", "Meiryo", "Noto Sans CJK JP", "Noto Sans JP"];

    public static async Task<IReadOnlyList<string>> FamiliesAsync(IPage page, string selector)
    {
        var cdp = await page.Context.NewCDPSessionAsync(page);
        try
        {
            await cdp.SendAsync("DOM.enable");
            await cdp.SendAsync("CSS.enable");
            var document = await cdp.SendAsync("DOM.getDocument", new Dictionary<string, object> { ["depth"] = 0 });
            var root = document!.Value.GetProperty("root").GetProperty("nodeId").GetInt32();
            var found = await cdp.SendAsync("DOM.querySelector", new Dictionary<string, object> { ["nodeId"] = root, ["selector"] = selector });
            var node = found!.Value.GetProperty("nodeId").GetInt32();
            Assert.That(node, Is.Not.Zero, $"no element matches {selector}");
            var fonts = await cdp.SendAsync("CSS.getPlatformFontsForNode", new Dictionary<string, object> { ["nodeId"] = node });
            return fonts!.Value.GetProperty("fonts").EnumerateArray()
                .Select(f => f.GetProperty("familyName").GetString() ?? string.Empty)
                .ToList();
        }
        finally
        {
            await cdp.DetachAsync();
        }
    }
}
