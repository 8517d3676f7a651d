using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Links;

/// <summary>
/// Single-use, unguessable, expiring links: 256 random bits in the link, only their SHA-256
/// in the database, bound to a purpose and to the user's security stamp at issue (so a password
/// change kills older links). Issue and consume add to the caller's unit of work; the caller saves.
/// </summary>
public sealed class LinkTokens(IdpDbContext db, TimeProvider time)
{
    /// <summary>R-7.3, R-7.4, R-7.5: mailed links are valid 14 days.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(14);

    /// <summary>Creates a token for <paramref name="user"/>; returns the raw value to put in the link.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Issue(ApplicationUser user, LinkPurpose purpose)
    {
        var raw = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var entity = new UserLinkToken
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            Purpose = purpose.ToString(),
            TokenHash = Hash(raw),
            SecurityStamp = user.SecurityStamp ?? string.Empty,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        db.UserLinkTokens.Add(entity);
        return (raw, entity.ExpiresAt);
    }

    /// <summary>Looks a presented token up without using it (to show a form before the final POST).</summary>
    public async Task<LinkRedemption> CheckAsync(string? token, LinkPurpose purpose, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return new LinkRedemption(LinkRedemptionStatus.Unknown, null, null);
        }

        var hash = Hash(token);
        var name = purpose.ToString();
        var entity = await db.UserLinkTokens.FirstOrDefaultAsync(l => l.TokenHash == hash && l.Purpose == name, cancellationToken);
        if (entity is null)
        {
            return new LinkRedemption(LinkRedemptionStatus.Unknown, null, null);
        }

        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == entity.UserId, cancellationToken);
        var status = entity.UsedAt is not null ? LinkRedemptionStatus.Used
            : entity.ExpiresAt <= time.GetUtcNow() ? LinkRedemptionStatus.Expired
            : user is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.SecurityStamp ?? string.Empty), Encoding.UTF8.GetBytes(entity.SecurityStamp)) ? LinkRedemptionStatus.Superseded
            : LinkRedemptionStatus.Valid;
        return new LinkRedemption(status, status == LinkRedemptionStatus.Valid ? user : null, entity);
    }

    /// <summary>
    /// Marks a valid token used, atomically: of two concurrent redemptions exactly one wins (the
    /// update is conditional on the token still being unused). Returns false for the loser.
    /// </summary>
    public async Task<bool> ConsumeAsync(UserLinkToken token, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var updated = await db.UserLinkTokens
            .Where(l => l.Id == token.Id && l.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UsedAt, now), cancellationToken);
        return updated == 1;
    }

    private static string Hash(string token) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
