using System.Net;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>A page's HTML with character references decoded: Razor writes Japanese text as &amp;#x…; references.</summary>
public static class PageHtml
{
    public static async Task<string> ReadAsync(HttpResponseMessage response) =>
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
}
