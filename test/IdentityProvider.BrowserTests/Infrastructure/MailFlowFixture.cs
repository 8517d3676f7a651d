using IdentityProvider.Mail;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Mail;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>
/// Base of the browser tests of flows that mail a link (lockout, password reset): an IdP of the
/// fixture's own, on the fixture's database, sending through a real SMTP server in the test
/// process. Own, because these tests move the IdP's clock (link expiry) and lock accounts, which
/// the shared session must not see.
/// </summary>
public abstract class MailFlowFixture(DatabaseKind kind) : BrowserFixture
{
    private TestSmtpServer? smtp;

    protected IdpTestHost Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        smtp = await TestSmtpServer.StartAsync();
        Server = await IdpTestHost.StartKestrelAsync(kind, OutboxTesting.SmtpSettings(smtp.Port));
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (smtp is not null)
        {
            await smtp.DisposeAsync();
        }
    }

    protected override IEnumerable<Uri> IdpAddresses => [Idp.BaseAddress, Server.BaseAddress];

    protected string Url(string path) => new Uri(Server.BaseAddress, path).ToString();

    /// <summary>Runs the outbox drain (the job's one pass) and returns the newest mail to <paramref name="recipient"/> with that subject.</summary>
    protected async Task<MimeMessage> ReceiveMailAsync(string recipient, string subject)
    {
        var result = await Server.InScopeAsync(services => services.GetRequiredService<MailOutboxDrainer>().DrainOnceAsync());
        Assert.That(result.Failed, Is.Zero, "the drain sent everything");
        var mail = smtp!.Messages.LastOrDefault(m => m.Subject == subject && m.To.Mailboxes.Any(t => t.Address == recipient));
        Assert.That(mail, Is.Not.Null, () => $"a mail '{subject}' to {recipient}; received: {string.Join(", ", smtp.Messages.Select(m => m.Subject))}");
        return mail!;
    }

    /// <summary>The one link to <paramref name="pagePath"/> in the mail's text (absolute, on this IdP).</summary>
    protected string LinkIn(MimeMessage mail, string pagePath) => Url(QueuedMail.LinkIn(mail.TextBody ?? string.Empty, pagePath));
}
