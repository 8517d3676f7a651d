using Microsoft.Extensions.Options;
using Quartz;

namespace IdentityProvider.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary><see cref="RetentionOptions"/> (validated at start), the pruner, and its job on this node's scheduler.</summary>
    public static IHostApplicationBuilder AddIdpRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>()
            .BindConfiguration(RetentionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<RetentionPruner>();
        builder.AddQuartz(quartz => quartz.ScheduleJob<RetentionJob>(
            (services, trigger) =>
            {
                var interval = services.GetRequiredService<IOptions<RetentionOptions>>().Value.Interval;
                trigger.WithIdentity(RetentionJob.TriggerKey)
                    .StartAt(services.GetRequiredService<TimeProvider>().GetUtcNow() + interval)
                    // After a pause (a suspended VM, a clock step) run at once rather than wait a whole interval.
                    .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount));
            },
            (_, job) => job.WithIdentity(RetentionJob.Key)));
        return builder;
    }
}
