using System.Diagnostics;
using System.Threading.RateLimiting;

namespace IdentityProvider.Throttling;

/// <summary>
/// One partition of a <see cref="PartitionedRateLimiter{TResource}"/> as a limiter of its own. The
/// rate-limiting middleware keeps one limiter per partition key of a policy; a
/// <see cref="FormPostPolicy"/> counts each of its two windows by another key, so the windows stay
/// in the policy's partitioned limiters and this only passes a key's requests to them.
/// </summary>
internal sealed class PartitionView<TKey>(PartitionedRateLimiter<TKey> limiter, TKey key) : RateLimiter
{
    private long lastUsed = Stopwatch.GetTimestamp();

    /// <summary>Since the last request: the middleware drops an idle view; its windows live on in the policy's limiter.</summary>
    public override TimeSpan? IdleDuration => Stopwatch.GetElapsedTime(Interlocked.Read(ref lastUsed));

    public override RateLimiterStatistics? GetStatistics() => limiter.GetStatistics(key);

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Interlocked.Exchange(ref lastUsed, Stopwatch.GetTimestamp());
        return limiter.AttemptAcquire(key, permitCount);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref lastUsed, Stopwatch.GetTimestamp());
        return limiter.AcquireAsync(key, permitCount, cancellationToken);
    }
}
