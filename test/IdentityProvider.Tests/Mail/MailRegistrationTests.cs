using IdentityProvider.Mail;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Mail;

public sealed class MailRegistrationTests
{
    private const string From = "どこでもBOX <no-reply@idp.test>";

    [TestCase("Smtp", From, null, null, "Mail:Smtp:Host is required when Mail:Mode is Smtp.")]
    [TestCase("Smtp", From, "smtp.example.jp", "0", "'MailOptions.Smtp' members: 'Port'")]
    [TestCase("Pickup", "", null, null, "Mail:From is required")]
    [TestCase("Pickup", "no-reply", null, null, "Mail:From \"no-reply\" is not a single mailbox with a domain")]
    [TestCase("Pickup", "a@idp.test, b@idp.test", null, null, "is not a single mailbox")]
    public void Start_InvalidMailConfiguration_FailsWithClearMessage(string mode, string from, string? smtpHost, string? port, string expected)
    {
        using var host = Build(new()
        {
            ["Mail:Mode"] = mode,
            ["Mail:From"] = from,
            ["Mail:Smtp:Host"] = smtpHost,
            ["Mail:Smtp:Port"] = port,
        });

        Assert.That(async () => await host.StartAsync(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(expected));
    }

    [Test]
    public void Start_SmtpUserNameWithoutPassword_FailsWithClearMessage()
    {
        using var host = Build(new()
        {
            ["Mail:Mode"] = "Smtp",
            ["Mail:From"] = From,
            ["Mail:Smtp:Host"] = "smtp.example.jp",
            ["Mail:Smtp:UserName"] = "idp",
        });

        Assert.That(async () => await host.StartAsync(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Mail:Smtp:Password is required"));
    }

    [TestCase("Mail:Outbox:PollInterval", "00:00:00", "PollInterval")]
    [TestCase("Mail:Outbox:Lease", "00:00:05", "Lease")]
    [TestCase("Mail:Outbox:BatchSize", "0", "BatchSize")]
    public void Start_InvalidOutboxSetting_FailsNamingIt(string key, string value, string member)
    {
        using var host = Build(new() { ["Mail:Mode"] = "Pickup", ["Mail:From"] = From, [key] = value });

        Assert.That(async () => await host.StartAsync(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(member));
    }

    [Test]
    public void Resolve_PickupMode_WritesUnderTheContentRoot()
    {
        using var host = Build(new() { ["Mail:Mode"] = "Pickup", ["Mail:From"] = From });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(host.Services.GetRequiredService<IMailTransport>(), Is.InstanceOf<PickupMailTransport>());
            Assert.That(
                host.Services.GetRequiredService<IOptions<MailOptions>>().Value.PickupDirectory,
                Is.EqualTo(Path.Combine(host.Services.GetRequiredService<IHostEnvironment>().ContentRootPath, "App_Data", "mail")));
        }
    }

    [Test]
    public void Resolve_SmtpMode_ChoosesSmtp()
    {
        using var host = Build(new() { ["Mail:Mode"] = "Smtp", ["Mail:From"] = From, ["Mail:Smtp:Host"] = "smtp.example.jp" });

        Assert.That(host.Services.GetRequiredService<IMailTransport>(), Is.InstanceOf<SmtpMailTransport>());
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Path.GetTempPath(),
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddIdpMail();
        return builder.Build();
    }
}
