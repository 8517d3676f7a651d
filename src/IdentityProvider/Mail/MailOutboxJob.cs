using Quartz;

namespace IdentityProvider.Mail;

/// <summary>
/// Drains the outbox every <see cref="MailOutboxOptions.PollInterval"/> on each node. Quartz runs an
/// in-memory scheduler per node: the lease the <see cref="MailOutboxDrainer"/> takes on each row is
/// what keeps nodes from sending a mail twice, so no clustered job store is needed for this job.
/// </summary>
[DisallowConcurrentExecution]
public sealed class MailOutboxJob(IServiceScopeFactory scopes) : IJob
{
    public static readonly JobKey Key = new("mail-outbox", "idp");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        // A scope per run: a fresh DbContext each pass, none kept across runs.
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MailOutboxDrainer>().DrainOnceAsync(cancellationToken);
    }
}
