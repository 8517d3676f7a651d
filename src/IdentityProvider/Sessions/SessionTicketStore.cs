using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace IdentityProvider.Sessions;

/// <summary>
/// The session cookie's <see cref="CookieAuthenticationOptions.SessionStore"/>: the cookie handler
/// keeps the ticket here (<see cref="ServerSessions"/>, the request's own services) and puts only
/// the session's key in the cookie. The handler calls the overloads that carry the request.
/// </summary>
public sealed class SessionTicketStore : ITicketStore
{
    public Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) =>
        Sessions(httpContext).CreateAsync(ticket, httpContext, cancellationToken);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken)
    {
        if (SessionCookieRotation.IsSigningIn(httpContext))
        {
            var replacement = await Sessions(httpContext).ReplaceAsync(key, ticket, httpContext, cancellationToken);
            SessionCookieRotation.Replaced(httpContext, replacement);
            return;
        }

        await Sessions(httpContext).RenewAsync(key, ticket, cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) =>
        Sessions(httpContext).FindAsync(key, cancellationToken);

    public async Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        var sessions = Sessions(httpContext);
        await sessions.EndAsync(key, cancellationToken);
        // A sign-out after a sign-in in the same request: the handler only knows the old key.
        if (SessionCookieRotation.ReplacementOf(httpContext) is { } replacement)
        {
            await sessions.EndAsync(replacement, cancellationToken);
        }
    }

    public Task<string> StoreAsync(AuthenticationTicket ticket) => throw RequestNeeded();

    public Task RenewAsync(string key, AuthenticationTicket ticket) => throw RequestNeeded();

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => throw RequestNeeded();

    public Task RemoveAsync(string key) => throw RequestNeeded();

    private static ServerSessions Sessions(HttpContext httpContext) => httpContext.RequestServices.GetRequiredService<ServerSessions>();

    private static NotSupportedException RequestNeeded() =>
        new("Sessions are kept with the request's services; the cookie handler calls the overloads that carry the HttpContext.");
}
