using Microsoft.Extensions.Options;
using Quartz;

namespace IdentityProvider.Authorization;

/// <summary>
/// Runs a <see cref="TokenPruner"/> pass every <see cref="TokenPruningOptions.Interval"/> on each
/// node. Passes on several nodes at once are harmless: each deletes what the others left.
/// </summary>
[DisallowConcurrentExecution]
public sealed class TokenPruningJob(IServiceScopeFactory scopes) : IJob
{
    public static readonly JobKey Key = new("token-pruning", "idp");

    public static readonly TriggerKey TriggerKey = new("token-pruning", "idp");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TokenPruner>().PruneOnceAsync(cancellationToken);
    }
}

public static class TokenPruningServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddIdpTokenPruning(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenPruningOptions>()
            .BindConfiguration(TokenPruningOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<TokenPruner>();
        builder.AddQuartz(quartz => quartz.ScheduleJob<TokenPruningJob>(
            (services, trigger) =>
            {
                var interval = services.GetRequiredService<IOptions<TokenPruningOptions>>().Value.Interval;
                trigger.WithIdentity(TokenPruningJob.TriggerKey)
                    .StartAt(services.GetRequiredService<TimeProvider>().GetUtcNow() + interval)
                    // After a pause (a suspended VM, a clock step) run at once rather than wait a whole interval.
                    .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount));
            },
            (_, job) => job.WithIdentity(TokenPruningJob.Key)));
        return builder;
    }
}
