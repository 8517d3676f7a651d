using Quartz;

namespace IdentityProvider.Retention;

/// <summary>
/// Runs a <see cref="RetentionPruner"/> pass every <see cref="RetentionOptions.Interval"/> on each
/// node. Passes on several nodes at once are harmless: each deletes what the others left.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(IServiceScopeFactory scopes) : IJob
{
    public static readonly JobKey Key = new("retention", "idp");

    public static readonly TriggerKey TriggerKey = new("retention", "idp");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RetentionPruner>().PruneOnceAsync(cancellationToken);
    }
}
