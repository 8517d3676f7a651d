namespace IdentityProvider.Mail;

/// <summary>
/// Exponential back-off with jitter: after attempt n the wait is RetryDelay·2^(n-1), capped at
/// MaxRetryDelay, then scaled by a random factor in [0.5, 1) so that nodes and mails that failed
/// together (a relay outage) do not all retry in the same second.
/// </summary>
internal static class MailRetryDelay
{
    public static TimeSpan After(int attempts, MailOutboxOptions options, double random)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ticks = Math.Min(options.RetryDelay.Ticks * Math.Pow(2, exponent), options.MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (0.5 + (random / 2))));
    }
}
