using System.Net;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Sessions;

/// <summary>The session cookie as a browser holds it, and the rows the server keeps for it.</summary>
internal static class SessionTesting
{
    public const string CookieName = "idp.session";

    public static string CookieOf(TestBrowser browser)
    {
        var cookie = browser.Cookies.GetCookies(browser.Host.BaseAddress)[CookieName];
        Assert.That(cookie, Is.Not.Null, "the browser has no session cookie");
        return cookie!.Value;
    }

    /// <summary>Another client that holds nothing but a copy of <paramref name="cookie"/>.</summary>
    public static TestBrowser BrowserWith(IdpTestHost host, string cookie)
    {
        var browser = host.CreateBrowser();
        browser.Cookies.Add(host.BaseAddress, new Cookie(CookieName, cookie));
        return browser;
    }

    public static Task<List<UserSession>> RowsAsync(IdpTestHost host, string email) =>
        host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var normalized = email.ToUpperInvariant();
            return await db.UserSessions.AsNoTracking()
                .Where(s => db.Users.Any(u => u.Id == s.UserId && u.NormalizedEmail == normalized))
                .ToListAsync();
        });
}
