using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        return builder;
    }
}
