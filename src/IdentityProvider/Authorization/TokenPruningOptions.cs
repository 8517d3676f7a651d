using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Authorization;

/// <summary>
/// Configuration section <c>TokenPruning</c>: how the token table is kept from growing forever.
/// Every code and refresh token leaves a row, and a refresh writes two; without pruning a busy
/// deployment adds millions of rows a day that no request reads again.
/// </summary>
public sealed class TokenPruningOptions
{
    public const string Section = "TokenPruning";

    /// <summary>
    /// How often each node runs a pass. A pass reads the rows created before the retention through
    /// their creation-date index and deletes only what it finds unusable.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a token that can no longer be used (redeemed, revoked, expired) is kept after it was
    /// issued; the same for an authorization left without tokens. Never less than
    /// <see cref="OidcOptions.RefreshTokenLifetime"/> in effect (<see cref="TokenPruner"/>): a
    /// redeemed refresh token that is replayed while it has not expired must still be found, so that
    /// the replay revokes its chain instead of meeting a plain "unknown token".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(14);
}
