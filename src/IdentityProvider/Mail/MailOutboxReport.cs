using IdentityProvider.Common;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Mail;

/// <summary>The outbox for operators (SPEC §11): which mails failed, wait, or went out.</summary>
public sealed class MailOutboxReport(IdpDbContext db)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Newest first; all statuses when <paramref name="status"/> is null.</summary>
    /// <exception cref="RequestRejectedException">Unknown status or a limit out of range.</exception>
    public async Task<IReadOnlyList<OutboxMailSummary>> ListAsync(string? status, int? limit, CancellationToken cancellationToken = default)
    {
        var wanted = ParseStatus(status);
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            throw RequestRejectedException.Invalid("limit", $"must be between 1 and {MaxLimit}.");
        }

        var query = db.MailOutbox.AsNoTracking();
        query = wanted switch
        {
            MailStatus.Sent => query.Where(m => m.SentAt != null),
            MailStatus.Failed => query.Where(m => m.SentAt == null && m.FailedAt != null),
            MailStatus.Pending => query.Where(m => m.SentAt == null && m.FailedAt == null),
            _ => query,
        };
        var rows = await query.OrderByDescending(m => m.CreatedAt).Take(take).ToListAsync(cancellationToken);
        return rows.Select(Summarize).ToList();
    }

    private static MailStatus? ParseStatus(string? status)
    {
        if (string.IsNullOrWhiteSpace(status))
        {
            return null;
        }

        // Names only: Enum.TryParse would also take "1" or "7".
        foreach (var value in Enum.GetValues<MailStatus>())
        {
            if (string.Equals(value.ToString(), status.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw RequestRejectedException.Invalid("status", $"{OperatorInput.Quote(status)} is not one of failed, pending, sent.");
    }

    private static OutboxMailSummary Summarize(MailOutboxMessage m)
    {
        var status = m.SentAt is not null ? MailStatus.Sent : m.FailedAt is not null ? MailStatus.Failed : MailStatus.Pending;
        return new OutboxMailSummary(
            m.Id, status, m.Template, m.Recipient, m.Subject, m.MessageId, m.CreatedAt, m.Attempts,
            status == MailStatus.Pending ? m.NextAttemptAt : null, m.SentAt, m.FailedAt, m.LastError);
    }
}
