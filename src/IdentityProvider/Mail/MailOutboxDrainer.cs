using System.Security.Cryptography;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Mail;

/// <summary>
/// One pass over the outbox (SPEC §12): every due row is claimed with a conditional UPDATE (a lease,
/// so that of several nodes one sends it), handed to the <see cref="IMailTransport"/> with its fixed
/// Message-Id, and marked sent, put back with a back-off, or failed for good (5xx). A mail sent or
/// failed for good has its body blanked: the links in it have no use left in the database. The
/// Quartz job calls it on a schedule; tests call it directly.
/// </summary>
public sealed partial class MailOutboxDrainer(
    IdpDbContext db,
    IMailTransport transport,
    MailBodyProtection bodies,
    TimeProvider time,
    IOptions<MailOutboxOptions> options,
    ILogger<MailOutboxDrainer> logger)
{
    private const int MaxErrorLength = 2000;

    public async Task<MailDrainResult> DrainOnceAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        int sent = 0, retrying = 0, failed = 0;
        while (true)
        {
            var now = time.GetUtcNow();
            // Rows handled in this pass leave this set (sent, failed, due later or leased), so it ends.
            var batch = await Claimable(now).AsNoTracking()
                .OrderBy(m => m.NextAttemptAt)
                .Take(settings.BatchSize)
                .ToListAsync(cancellationToken);
            foreach (var row in batch)
            {
                switch (await SendOneAsync(row, settings, cancellationToken))
                {
                    case Outcome.Sent: sent++; break;
                    case Outcome.Retrying: retrying++; break;
                    case Outcome.Failed: failed++; break;
                }
            }

            if (batch.Count < settings.BatchSize)
            {
                return new MailDrainResult(sent, retrying, failed);
            }
        }
    }

    private IQueryable<MailOutboxMessage> Claimable(DateTimeOffset now) =>
        db.MailOutbox.Where(m => m.SentAt == null && m.FailedAt == null && m.NextAttemptAt <= now
            && (m.ClaimedUntil == null || m.ClaimedUntil < now));

    private async Task<Outcome> SendOneAsync(MailOutboxMessage row, MailOutboxOptions settings, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var leaseEnd = now + settings.Lease;
        var claimed = await Claimable(now).Where(m => m.Id == row.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedUntil, leaseEnd), cancellationToken);
        if (claimed == 0)
        {
            return Outcome.TakenElsewhere;
        }

        var attempts = row.Attempts + 1;
        try
        {
            await transport.SendAsync(Content(row), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: let another node (or this one after restart) take it without waiting for the lease.
            await UpdateAsync(row.Id, set => set.SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null));
            throw;
        }
        catch (MailTransportException failure) when (!failure.IsRetryable)
        {
            LogFailed(logger, row.Id, row.Template, failure.Kind, failure.SmtpStatusCode);
            await UpdateAsync(row.Id, set => set
                .SetProperty(m => m.TextBody, string.Empty)
                .SetProperty(m => m.HtmlBody, (string?)null)
                .SetProperty(m => m.FailedAt, time.GetUtcNow())
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.LastError, Describe(failure))
                .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null));
            return Outcome.Failed;
        }
        catch (Exception e)
        {
            // Transient, configuration (an operator fixes Mail:*), or a fault of ours: keep the mail.
            var next = time.GetUtcNow() + MailRetryDelay.After(attempts, settings, Random.Shared.NextDouble());
            if (e is MailTransportException transportFailure)
            {
                LogRetrying(logger, row.Id, row.Template, attempts, transportFailure.Kind, next);
            }
            else
            {
                LogUnexpected(logger, row.Id, row.Template, attempts, next, e);
            }

            await UpdateAsync(row.Id, set => set
                .SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.LastError, Describe(e))
                .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null));
            return Outcome.Retrying;
        }

        // Not cancellable: the relay has the mail, and a lost SentAt would send it again.
        await UpdateAsync(row.Id, set => set
            .SetProperty(m => m.TextBody, string.Empty)
            .SetProperty(m => m.HtmlBody, (string?)null)
            .SetProperty(m => m.SentAt, time.GetUtcNow())
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null));
        LogSent(logger, row.Id, row.Template, attempts);
        return Outcome.Sent;
    }

    private Task<int> UpdateAsync(Guid id, Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<MailOutboxMessage>> setters) =>
        db.MailOutbox.Where(m => m.Id == id).ExecuteUpdateAsync(setters, CancellationToken.None);

    /// <exception cref="MailTransportException">
    /// A body this node cannot decrypt: its key ring lacks the key (a node whose Data Protection
    /// set-up differs). A configuration failure, retried, so that a node that can send it does.
    /// </exception>
    private MailMessageContent Content(MailOutboxMessage row)
    {
        try
        {
            return new MailMessageContent
            {
                ToAddress = row.Recipient,
                ToName = row.RecipientName,
                Subject = row.Subject,
                PlainTextBody = bodies.Unprotect(row.TextBody),
                HtmlBody = row.HtmlBody is null ? null : bodies.Unprotect(row.HtmlBody),
                MessageId = row.MessageId,
            };
        }
        catch (CryptographicException e)
        {
            throw new MailTransportException(MailFailureKind.Configuration, "The mail's body could not be decrypted with this node's Data Protection keys.", e);
        }
    }

    /// <summary>For operators (the admin API shows it): the transport's reason, never the body.</summary>
    private static string Describe(Exception e)
    {
        var text = e is MailTransportException failure
            ? $"{failure.Kind}{(failure.SmtpStatusCode is { } code ? $" (SMTP {code})" : "")}: {e.Message}"
            : $"{e.GetType().Name}: {e.Message}";
        return text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
    }

    private enum Outcome
    {
        Sent,
        Retrying,
        Failed,
        TakenElsewhere,
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox mail {OutboxId} ({Template}) sent on attempt {Attempts}")]
    private static partial void LogSent(ILogger logger, Guid outboxId, string template, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox mail {OutboxId} ({Template}) not sent on attempt {Attempts} ({Kind}); next attempt at {NextAttemptAt:u}")]
    private static partial void LogRetrying(ILogger logger, Guid outboxId, string template, int attempts, MailFailureKind kind, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox mail {OutboxId} ({Template}) failed unexpectedly on attempt {Attempts}; next attempt at {NextAttemptAt:u}")]
    private static partial void LogUnexpected(ILogger logger, Guid outboxId, string template, int attempts, DateTimeOffset nextAttemptAt, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox mail {OutboxId} ({Template}) refused for good ({Kind}, SMTP status {StatusCode}); not retried")]
    private static partial void LogFailed(ILogger logger, Guid outboxId, string template, MailFailureKind kind, int? statusCode);
}
