using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Authorization;
using IdentityProvider.Data;
using IdentityProvider.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Sessions;

/// <summary>
/// Browser sessions kept on the server (<see cref="UserSession"/>): the session cookie carries a
/// random 256-bit key, the table holds its SHA-256 and the authentication ticket (protected by Data
/// Protection). Ending a session deletes its row, so that a copy of the cookie stops working at
/// once, on every node. A session is only found while it has not expired and its security stamp
/// is still the user's: a password reset, a 2FA reset or any other stamp change ends every session
/// of the user at its next request, and deleting the user deletes them (foreign key).
/// </summary>
public sealed partial class ServerSessions(
    IdpDbContext db,
    IDataProtectionProvider protection,
    IOptions<ServerSessionOptions> options,
    IOptions<IdentityOptions> identity,
    TimeProvider time,
    ILogger<ServerSessions> logger)
{
    /// <summary>A longer key than any this class makes is no key of ours (a cookie is protected, but be strict).</summary>
    private const int MaxKeyLength = 64;

    private static readonly CompiledQuery<Func<IdpDbContext, string, DateTimeOffset, Task<byte[]?>>> LiveTicket = new(() =>
        EF.CompileAsyncQuery((IdpDbContext context, string id, DateTimeOffset now) =>
            context.UserSessions
                .Where(s => s.Id == id && s.ExpiresAt > now)
                .Join(context.Users, s => s.UserId, u => u.Id, (s, u) => new { s.Ticket, s.SecurityStamp, UserStamp = u.SecurityStamp ?? string.Empty })
                .Where(x => x.SecurityStamp == x.UserStamp)
                .Select(x => x.Ticket)
                .FirstOrDefault()));

    private readonly IDataProtector protector = protection.CreateProtector("IdentityProvider.Sessions.Ticket.v1");

    /// <summary>Starts a session for a new sign-in; returns the key the cookie carries.</summary>
    public async Task<string> CreateAsync(AuthenticationTicket ticket, HttpContext? http, CancellationToken cancellationToken)
    {
        var key = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var absolute = (SessionFacts.From(ticket.Principal)?.AuthenticatedAt ?? now) + options.Value.AbsoluteLifetime;
        var session = new UserSession
        {
            Id = Hash(key),
            UserId = UserId(ticket.Principal),
            SecurityStamp = Stamp(ticket.Principal),
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = Earlier(ticket.Properties.ExpiresUtc ?? absolute, absolute),
            AbsoluteExpiresAt = absolute,
            UserAgent = Truncate(http?.Request.Headers.UserAgent.ToString(), 200),
            IpAddress = http?.Connection.RemoteIpAddress?.ToString(),
            Ticket = Protect(ticket),
        };

        // Through the request's context: a sign-in runs inside its transaction (PasswordSignIn), so
        // the session commits with the sign-in, and on SQLite a second connection would wait for it.
        db.UserSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    /// <summary>The ticket of a live session, or null when it ended, expired or its user's stamp changed.</summary>
    public async Task<AuthenticationTicket?> FindAsync(string key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
        {
            return null;
        }

        var stored = await LiveTicket.For(db)(db, Hash(key), time.GetUtcNow());
        if (stored is null)
        {
            return null;
        }

        try
        {
            return TicketSerializer.Default.Deserialize(protector.Unprotect(stored));
        }
        catch (CryptographicException)
        {
            // The Data Protection key that protected it is gone: the session is as good as ended.
            LogUnreadable(logger);
            return null;
        }
    }

    /// <summary>
    /// Moves the sliding window on, when the cookie handler renews (half the window used), not on
    /// every request. A session that ended meanwhile (logout in another tab) stays ended.
    /// </summary>
    public async Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var id = Hash(key);
        var now = time.GetUtcNow();
        var sliding = ticket.Properties.ExpiresUtc ?? now;
        var protectedTicket = Protect(ticket);
        var stamp = Stamp(ticket.Principal);
        await db.UserSessions
            .Where(s => s.Id == id && s.ExpiresAt > now)
            .ExecuteUpdateAsync(
                s => s.SetProperty(x => x.Ticket, protectedTicket)
                    .SetProperty(x => x.SecurityStamp, stamp)
                    .SetProperty(x => x.LastSeenAt, now)
                    .SetProperty(x => x.ExpiresAt, x => x.AbsoluteExpiresAt < sliding ? x.AbsoluteExpiresAt : sliding),
                cancellationToken);
    }

    /// <summary>A sign-in in a browser that has a session: a new session under a new key, and the old one ended.</summary>
    public async Task<string> ReplaceAsync(string oldKey, AuthenticationTicket ticket, HttpContext? http, CancellationToken cancellationToken)
    {
        var key = await CreateAsync(ticket, http, cancellationToken);
        await EndAsync(oldKey, cancellationToken);
        return key;
    }

    /// <summary>Ends one session (logout).</summary>
    public async Task<bool> EndAsync(string key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
        {
            return false;
        }

        var id = Hash(key);
        return await db.UserSessions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Ends every session of a user, on every node, at their next request (disabling a user; "sign out everywhere").</summary>
    public async Task<int> EndAllAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        var ended = await db.UserSessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        LogEndedAll(logger, ended, userId);
        return ended;
    }

    private byte[] Protect(AuthenticationTicket ticket) => protector.Protect(TicketSerializer.Default.Serialize(ticket));

    private Guid UserId(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(identity.Value.ClaimsIdentity.UserIdClaimType), out var id)
            ? id
            : throw new InvalidOperationException("A session needs the user's id in its principal.");

    private string Stamp(ClaimsPrincipal principal) =>
        principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType) ?? string.Empty;

    private static string Hash(string key) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string? Truncate(string? value, int length) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= length ? value : value[..length];

    [LoggerMessage(Level = LogLevel.Warning, Message = "A stored session could not be unprotected (its Data Protection key is gone); the browser must sign in again")]
    private static partial void LogUnreadable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ended {Count} sessions of user {UserId}")]
    private static partial void LogEndedAll(ILogger logger, int count, Guid userId);
}
