using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace IdentityProvider.Throttling;

/// <summary>
/// One named policy of <see cref="ThrottledForms"/>: a form post passes when both the client's
/// window and the submitted address's window have a permit (sliding windows of
/// <see cref="EndpointLimits"/>); other methods are not limited. A refused post gets 429 with
/// <c>Retry-After</c>, and the status code pages show the error page.
/// </summary>
public sealed partial class FormPostPolicy : IRateLimiterPolicy<FormPostPolicy.Key>, IDisposable
{
    private const int SegmentsPerWindow = 6;

    private readonly PartitionedRateLimiter<Key> perClient;
    private readonly PartitionedRateLimiter<Key> perAddress;
    private readonly PartitionedRateLimiter<Key> limiter;
    private readonly TimeSpan retryAfter;
    private readonly ILogger logger;

    public FormPostPolicy(EndpointLimits limits, ILogger<FormPostPolicy> logger)
    {
        perClient = PartitionedRateLimiter.Create<Key, string>(key => SlidingWindow(key.Client, limits.PerClient));
        perAddress = PartitionedRateLimiter.Create<Key, string>(key => SlidingWindow(key.Address, limits.PerAddress));
        // Both must grant: the chain takes the client's permit, then the address's.
        limiter = PartitionedRateLimiter.CreateChained(perClient, perAddress);
        // A sliding window's leases carry no retry-after: the earliest moment a retry can succeed is
        // one segment of the shorter window, when the oldest segment's permits come back.
        retryAfter = (limits.PerClient.Window < limits.PerAddress.Window ? limits.PerClient.Window : limits.PerAddress.Window) / SegmentsPerWindow;
        this.logger = logger;
        OnRejected = RejectAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; }

    public RateLimitPartition<Key> GetPartition(HttpContext httpContext)
    {
        if (!HttpMethods.IsPost(httpContext.Request.Method))
        {
            return RateLimitPartition.GetNoLimiter(default(Key));
        }

        var key = new Key(ThrottledForms.ClientKey(httpContext), ThrottledForms.SubmittedAddress(httpContext));
        return RateLimitPartition.Get(key, pair => new PartitionView<Key>(limiter, pair));
    }

    /// <summary>Stops the windows' timers: the chain's and both partitioned limiters'.</summary>
    public void Dispose()
    {
        limiter.Dispose();
        perClient.Dispose();
        perAddress.Dispose();
    }

    private static RateLimitPartition<string> SlidingWindow(string key, WindowLimit limit) =>
        RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            SegmentsPerWindow = SegmentsPerWindow,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var fromLease) ? fromLease : retryAfter;
        context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        LogRejected(logger, context.HttpContext.Request.Path);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limit reached for a form post to {Path}")]
    private static partial void LogRejected(ILogger logger, PathString path);

    /// <summary>A post's partition: the client's address and the submitted e-mail address.</summary>
    public readonly record struct Key(string Client, string Address);
}
