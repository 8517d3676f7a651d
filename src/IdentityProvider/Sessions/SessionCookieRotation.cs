using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Primitives;

namespace IdentityProvider.Sessions;

/// <summary>
/// A new session key at every sign-in. When a request that already carries a session signs in
/// (a re-authentication for <c>prompt=login</c>, another user at the same browser), the cookie
/// handler keeps the session's key and only renews its ticket, so a copy of the old cookie — or
/// one an attacker planted before the victim signed in (session fixation, OWASP) — would carry the
/// new sign-in. Here the store starts a new session and ends the old one instead
/// (<see cref="ServerSessions.ReplaceAsync"/>), and the response's session cookie is rewritten to
/// carry the new key.
/// </summary>
internal static class SessionCookieRotation
{
    /// <summary>
    /// The claim in which the cookie handler carries the session key (a private constant of
    /// <see cref="CookieAuthenticationHandler"/>). If a framework update renamed it, every sign-in
    /// over an existing session would fail the sessions' tests (SessionRotationTests).
    /// </summary>
    private const string SessionIdClaim = "Microsoft.AspNetCore.Authentication.Cookies-SessionId";

    private static readonly object SigningIn = new();
    private static readonly object Replacement = new();

    /// <summary>Hooks the sign-in events of <paramref name="options"/>, keeping the handlers already there.</summary>
    public static void Attach(CookieAuthenticationOptions options)
    {
        var signingIn = options.Events.OnSigningIn;
        options.Events.OnSigningIn = context =>
        {
            context.HttpContext.Items[SigningIn] = context.CookieOptions;
            return signingIn(context);
        };

        var signedIn = options.Events.OnSignedIn;
        options.Events.OnSignedIn = context =>
        {
            RewriteCookie(context);
            return signedIn(context);
        };
    }

    public static bool IsSigningIn(HttpContext context) => context.Items.ContainsKey(SigningIn);

    public static void Replaced(HttpContext context, string key) => context.Items[Replacement] = key;

    public static string? ReplacementOf(HttpContext context) => context.Items[Replacement] as string;

    private static void RewriteCookie(CookieSignedInContext context)
    {
        var http = context.HttpContext;
        var cookieOptions = http.Items[SigningIn] as CookieOptions;
        http.Items.Remove(SigningIn);
        if (ReplacementOf(http) is not { } key || cookieOptions is null)
        {
            return;
        }

        var options = context.Options;
        var name = options.Cookie.Name!;
        var reference = new ClaimsPrincipal(new ClaimsIdentity([new Claim(SessionIdClaim, key, ClaimValueTypes.String, options.ClaimsIssuer)], options.ClaimsIssuer));
        var value = options.TicketDataFormat.Protect(new AuthenticationTicket(reference, null, context.Scheme.Name));

        // Drop the cookie the handler has just set with the old key, then set the new one.
        var headers = http.Response.Headers.SetCookie;
        http.Response.Headers.SetCookie = new StringValues(headers.Where(h => h is not null && !h.StartsWith(name + "=", StringComparison.Ordinal)).ToArray());
        options.CookieManager.AppendResponseCookie(http, name, value, cookieOptions);
    }
}
