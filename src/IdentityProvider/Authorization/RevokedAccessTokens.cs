using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Authorization;

/// <summary>
/// The deny list of self-contained access tokens (those without a token entry): revocation writes
/// a row, validation at this server (introspection, userinfo, the admin API) reads it. Issuing a
/// token writes nothing. Rows live until the token expires.
/// </summary>
public sealed class RevokedAccessTokens(IdpDbContext db, TimeProvider time)
{
    public Task<bool> IsRevokedAsync(string tokenId, CancellationToken cancellationToken = default) =>
        db.RevokedAccessTokens.AnyAsync(r => r.TokenId == tokenId, cancellationToken);

    /// <summary>Records the revocation (idempotent) and drops the rows of tokens that have expired since.</summary>
    public async Task RevokeAsync(string tokenId, string? clientId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await db.RevokedAccessTokens.Where(r => r.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        if (await IsRevokedAsync(tokenId, cancellationToken))
        {
            return;
        }

        db.RevokedAccessTokens.Add(new RevokedAccessToken { TokenId = tokenId, ClientId = clientId, RevokedAt = now, ExpiresAt = expiresAt });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Revoked at the same moment by another request or node: the outcome is the same.
            db.ChangeTracker.Clear();
            if (!await IsRevokedAsync(tokenId, cancellationToken))
            {
                throw;
            }
        }
    }
}
