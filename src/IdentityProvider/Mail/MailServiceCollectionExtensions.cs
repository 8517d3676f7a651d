using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace IdentityProvider.Mail;

public static class MailServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="MailOptions"/> (validated at start) and the <see cref="IMailTransport"/> that
    /// <see cref="MailOptions.Mode"/> selects; the <see cref="IMailComposer"/> and the
    /// <see cref="MailOutbox"/> that flows queue their mails in.
    /// </summary>
    public static IHostApplicationBuilder AddIdpMail(this IHostApplicationBuilder builder)
    {
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddOptions<MailOptions>()
            .BindConfiguration(MailOptions.Section)
            .PostConfigure(options =>
            {
                // Relative to the content root, like the SQLite file (DatabaseExtensions).
                if (!string.IsNullOrWhiteSpace(options.PickupDirectory))
                {
                    options.PickupDirectory = Path.GetFullPath(options.PickupDirectory, contentRoot);
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MimeMessageFactory>();
        builder.Services.TryAddSingleton<IMailComposer, MailComposer>();
        builder.Services.AddSingleton<MailBodyProtection>();
        builder.Services.AddScoped<MailOutbox>();
        builder.Services.AddSingleton<PickupMailTransport>();
        builder.Services.AddSingleton<SmtpMailTransport>();

        // Chosen when first resolved, from the bound options: configuration that tests or hosts add
        // after this call still counts.
        builder.Services.AddSingleton<IMailTransport>(services =>
            services.GetRequiredService<IOptions<MailOptions>>().Value.Mode switch
            {
                MailMode.Smtp => services.GetRequiredService<SmtpMailTransport>(),
                _ => services.GetRequiredService<PickupMailTransport>(),
            });
        builder.AddIdpMailOutboxJob();
        return builder;
    }

    /// <summary>The drain job on this node's in-memory Quartz scheduler (cluster-safe through the row lease).</summary>
    private static void AddIdpMailOutboxJob(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOutboxOptions>()
            .BindConfiguration(MailOutboxOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<MailOutboxDrainer>();
        builder.Services.AddScoped<MailOutboxReport>();
        builder.AddQuartz(quartz => quartz.ScheduleJob<MailOutboxJob>(
            (services, trigger) =>
            {
                // First pass one interval after start, not during it: start-up has migrations to run.
                var interval = services.GetRequiredService<IOptions<MailOutboxOptions>>().Value.PollInterval;
                trigger.WithIdentity("mail-outbox", "idp")
                    .StartAt(services.GetRequiredService<TimeProvider>().GetUtcNow() + interval)
                    .WithSimpleSchedule(interval);
            },
            (_, job) => job.WithIdentity(MailOutboxJob.Key)));
        // Waiting lets a pass that is sending finish and record SentAt before the process exits.
        builder.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
    }
}
