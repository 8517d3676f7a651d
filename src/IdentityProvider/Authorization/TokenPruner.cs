using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// One pruning pass: deletes the token entries that can no longer be used (redeemed, revoked,
/// expired, or of an authorization that is no longer valid) and the authorizations left without
/// tokens that are ad hoc or no longer valid, each only once it was created before the retention.
/// Live chains are never touched. The <see cref="TokenPruningJob"/> runs it on a schedule; tests call
/// it directly.
/// <para>
/// The criteria are OpenIddict's own (<c>IOpenIddictTokenManager.PruneAsync</c>), but the walk is
/// not: OpenIddict deletes "the first 1,000 matches ordered by id" until none is left, so every batch
/// re-reads the live rows that sort before the next match — quadratic in the table, with each batch
/// holding SQLite's write lock while it reads. Here
/// the rows created before the threshold are read once, oldest first, through the
/// <c>(CreationDate, Id)</c> index, <see cref="BatchSize"/> at a time from a cursor; each batch's
/// matches are deleted in one statement. "Expired" is judged by <see cref="TimeProvider"/>, not the
/// system clock.
/// </para>
/// </summary>
public sealed partial class TokenPruner(
    IdpDbContext db,
    TimeProvider time,
    IOptions<TokenPruningOptions> options,
    IOptions<OidcOptions> oidc,
    ILogger<TokenPruner> logger)
{
    /// <summary>
    /// Rows per statement. Small enough that a batch holds SQLite's write lock only some tens of
    /// milliseconds (token requests queue behind it), large enough that a backlog of a million rows is
    /// a few hundred statements.
    /// </summary>
    public const int BatchSize = 250;

    /// <summary>The configured retention, raised to the refresh-token lifetime (see <see cref="TokenPruningOptions.Retention"/>).</summary>
    public TimeSpan EffectiveRetention =>
        options.Value.Retention > oidc.Value.RefreshTokenLifetime ? options.Value.Retention : oidc.Value.RefreshTokenLifetime;

    public async Task<TokenPruneResult> PruneOnceAsync(CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var now = time.GetUtcNow().UtcDateTime;
        var threshold = now - EffectiveRetention;

        // Tokens first: an authorization is only pruned once no token refers to it.
        var tokens = db.Set<OpenIddictEntityFrameworkCoreToken>();
        var prunedTokens = await PruneAsync(
            tokens.Where(t => t.CreationDate < threshold),
            batch => tokens.Where(t => batch.Contains(t.Id!)
                && ((t.Status != Statuses.Inactive && t.Status != Statuses.Valid)
                    || (t.Authorization != null && t.Authorization.Status != Statuses.Valid)
                    || t.ExpirationDate < now)),
            cancellationToken);

        var authorizations = db.Set<OpenIddictEntityFrameworkCoreAuthorization>();
        var prunedAuthorizations = await PruneAsync(
            authorizations.Where(a => a.CreationDate < threshold),
            batch => authorizations.Where(a => batch.Contains(a.Id!)
                && (a.Status != Statuses.Valid || a.Type == AuthorizationTypes.AdHoc)
                && !a.Tokens.Any()),
            cancellationToken);

        var result = new TokenPruneResult(prunedTokens, prunedAuthorizations);
        if (result.Tokens > 0 || result.Authorizations > 0)
        {
            LogPruned(result.Tokens, result.Authorizations, threshold, (long)time.GetElapsedTime(started).TotalMilliseconds);
        }

        return result;
    }

    /// <summary>
    /// Walks <paramref name="old"/> by (CreationDate, Id) — columns both OpenIddict entities have,
    /// read with <see cref="EF.Property{TProperty}"/> since they share no type — and deletes each
    /// batch's prunable rows.
    /// </summary>
    private async Task<long> PruneAsync<TEntity>(
        IQueryable<TEntity> old,
        Func<List<string>, IQueryable<TEntity>> prunable,
        CancellationToken cancellationToken)
        where TEntity : class
    {
        long deleted = 0;
        DateTime? afterDate = null;
        string? afterId = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = old;
            if (afterId is not null)
            {
                page = page.Where(e => EF.Property<DateTime?>(e, Created) > afterDate
                    || (EF.Property<DateTime?>(e, Created) == afterDate && string.Compare(EF.Property<string>(e, Key), afterId) > 0));
            }

            var batch = await page
                .OrderBy(e => EF.Property<DateTime?>(e, Created)).ThenBy(e => EF.Property<string>(e, Key))
                .Select(e => new { Id = EF.Property<string>(e, Key), CreationDate = EF.Property<DateTime?>(e, Created) })
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return deleted;
            }

            deleted += await prunable(batch.ConvertAll(e => e.Id)).ExecuteDeleteAsync(cancellationToken);
            (afterDate, afterId) = (batch[^1].CreationDate, batch[^1].Id);
        }
    }

    private const string Created = nameof(OpenIddictEntityFrameworkCoreToken.CreationDate);

    private const string Key = nameof(OpenIddictEntityFrameworkCoreToken.Id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Tokens} token entries and {Authorizations} authorizations created before {Threshold:O} in {ElapsedMs} ms.")]
    private partial void LogPruned(long tokens, long authorizations, DateTime threshold, long elapsedMs);
}

public readonly record struct TokenPruneResult(long Tokens, long Authorizations);
