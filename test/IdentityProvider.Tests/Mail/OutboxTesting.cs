using System.Globalization;
using IdentityProvider.Data;
using IdentityProvider.Mail;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Mail;

/// <summary>Queue, drain and inspect the outbox of a test host, as the flows and the job do.</summary>
internal static class OutboxTesting
{
    /// <summary>Retries are due within a minute, and the scheduled job stays out of the way (it fires hourly).</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(1);

    public static Dictionary<string, string?> SmtpSettings(int port) => new()
    {
        ["Mail:Mode"] = "Smtp",
        ["Mail:From"] = "どこでもBOX <no-reply@idp.test>",
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
        ["Mail:Smtp:Timeout"] = "00:00:05",
        ["Mail:Outbox:PollInterval"] = "01:00:00",
        ["Mail:Outbox:RetryDelay"] = "00:00:10",
        ["Mail:Outbox:MaxRetryDelay"] = "00:01:00",
    };

    /// <summary>A port nothing listens on any more: a relay that is down.</summary>
    public static async Task<int> DownPortAsync()
    {
        await using var server = await TestSmtpServer.StartAsync();
        return server.Port;
    }

    /// <summary>Queues password-reset mails as the flow would, committed together; returns their Message-Ids.</summary>
    public static Task<List<string>> EnqueueAsync(IdpTestHost host, int count, string recipient = "taro.yamada@example.jp") =>
        host.InScopeAsync(async services =>
        {
            var outbox = services.GetRequiredService<MailOutbox>();
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var ids = Enumerable.Range(0, count).Select(i => outbox.Enqueue(
                MailTemplate.PasswordReset,
                recipient,
                "山田 太郎",
                CultureInfo.GetCultureInfo("ja-JP"),
                new Dictionary<string, string>
                {
                    [MailValues.UserName] = "山田 太郎",
                    [MailValues.ResetUrl] = $"https://idp.example.jp/reset?ticket=TEST-{i}",
                    [MailValues.ExpiresAt] = MailValues.Moment(now.AddDays(14)),
                }).MessageId).ToList();
            await services.GetRequiredService<IdpDbContext>().SaveChangesAsync();
            return ids;
        });

    public static Task<MailDrainResult> DrainAsync(IdpTestHost host) =>
        host.InScopeAsync(services => services.GetRequiredService<MailOutboxDrainer>().DrainOnceAsync());

    public static Task<List<MailOutboxMessage>> RowsAsync(IdpTestHost host) =>
        host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().MailOutbox.AsNoTracking().ToListAsync());

    /// <summary>Message-Ids as the relay received them, one entry per delivery (duplicates kept).</summary>
    public static List<string> MessageIds(params TestSmtpServer[] servers) =>
        servers.SelectMany(s => s.Messages).Select(m => m.MessageId ?? "(none)").ToList();
}
