using IdentityProvider.Mail;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static IdentityProvider.Tests.Mail.OutboxTesting;

namespace IdentityProvider.Tests.Mail;

/// <summary>
/// The scheduled job, not a direct drain: Quartz runs on the host's clock, so moving the clock past
/// <c>Mail:Outbox:PollInterval</c> fires it. In the embedded setup's pickup mode (SPEC §12).
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class MailOutboxJobTests(DatabaseKind kind)
{
    [Test]
    public async Task Job_PickupMode_WritesQueuedMailOnceThePollIntervalHasPassed()
    {
        await using var host = await IdpTestHost.StartAsync(kind, new Dictionary<string, string?> { ["Mail:Outbox:PollInterval"] = "00:10:00" });
        var directory = Directory.CreateDirectory(host.Services.GetRequiredService<IOptions<MailOptions>>().Value.PickupDirectory).FullName;
        var written = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new FileSystemWatcher(directory) { EnableRaisingEvents = true };
        watcher.Created += (_, e) => Found(e.FullPath);
        watcher.Renamed += (_, e) => Found(e.FullPath);
        var queued = await EnqueueAsync(host, 1);

        // Ten minutes on the host clock, a moment in real time: the test waits for no real interval.
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        var path = await written.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var message = await MimeKit.MimeMessage.LoadAsync(path);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.MessageId, Is.EqualTo(queued[0]));
            Assert.That(message.Subject, Is.EqualTo("【どこでもBOX】パスワードリセット"));
        }

        void Found(string file)
        {
            if (file.EndsWith(".eml", StringComparison.Ordinal))
            {
                written.TrySetResult(file);
            }
        }
    }
}
