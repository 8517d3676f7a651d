using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Mail;

/// <summary>Configuration section <c>Mail:Outbox</c>: how the outbox job drains queued mail (SPEC §12).</summary>
public sealed class MailOutboxOptions
{
    public const string Section = "Mail:Outbox";

    /// <summary>
    /// How often each node looks for due mail. A few seconds: a user who asked for a reset link is
    /// waiting for it, and a query that finds nothing is cheap (it uses the outbox index).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Rows read per query; a pass keeps reading until nothing is due, so this only bounds memory.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// How long a node owns a row it is sending. Longer than one send can take (each SMTP step is
    /// bounded by <c>Mail:Smtp:Timeout</c>, 30 s by default, and a session has about eight), so that
    /// no other node takes a row still being sent; short enough that a crashed node's rows go out soon.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Delay before the first retry; it doubles with each failed attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest wait between attempts. An hour: a relay outage of a day still ends with the mail
    /// sent within the hour after it, and a mail is never given up for transient errors (SPEC §12).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);
}
