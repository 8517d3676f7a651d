using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;

namespace IdentityProvider.Authorization;

/// <summary>
/// One pruning pass: deletes the token entries that can no longer be used (redeemed, revoked,
/// expired, or of a revoked authorization) and the authorizations left without tokens that are
/// ad hoc or no longer valid, each only once it is older than the retention. OpenIddict's stores do
/// the deleting (bulk deletes of 1,000 rows at a time); live chains are never touched. The
/// <see cref="TokenPruningJob"/> runs it on a schedule; tests call it directly.
/// </summary>
public sealed partial class TokenPruner(
    IOpenIddictTokenManager tokens,
    IOpenIddictAuthorizationManager authorizations,
    TimeProvider time,
    IOptions<TokenPruningOptions> options,
    IOptions<OidcOptions> oidc,
    ILogger<TokenPruner> logger)
{
    /// <summary>The configured retention, raised to the refresh-token lifetime (see <see cref="TokenPruningOptions.Retention"/>).</summary>
    public TimeSpan EffectiveRetention =>
        options.Value.Retention > oidc.Value.RefreshTokenLifetime ? options.Value.Retention : oidc.Value.RefreshTokenLifetime;

    public async Task<TokenPruneResult> PruneOnceAsync(CancellationToken cancellationToken = default)
    {
        var threshold = time.GetUtcNow() - EffectiveRetention;

        // Tokens first: an authorization is only pruned once no token refers to it.
        var prunedTokens = await tokens.PruneAsync(threshold, cancellationToken);
        var prunedAuthorizations = await authorizations.PruneAsync(threshold, cancellationToken);
        var result = new TokenPruneResult(prunedTokens, prunedAuthorizations);
        if (result.Tokens > 0 || result.Authorizations > 0)
        {
            LogPruned(result.Tokens, result.Authorizations, threshold);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Tokens} token entries and {Authorizations} authorizations issued before {Threshold:O}.")]
    private partial void LogPruned(long tokens, long authorizations, DateTimeOffset threshold);
}

public readonly record struct TokenPruneResult(long Tokens, long Authorizations);
