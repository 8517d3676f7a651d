using System.Net;
using System.Net.Sockets;
using IdentityProvider.Mail;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SmtpServer.Protocol;

namespace IdentityProvider.Tests.Mail;

public sealed class SmtpMailTransportTests
{
    [Test]
    public async Task Send_ToRunningServer_ServerReceivesTheSameMessage()
    {
        await using var server = await TestSmtpServer.StartAsync();

        await CreateTransport(server.Port).SendAsync(PasswordResetMail.Create("reset-3@idp.test"), CancellationToken.None);

        var message = await server.Received.WaitAsync(TimeSpan.FromSeconds(5));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.Subject, Is.EqualTo(PasswordResetMail.Subject));
            Assert.That(message.TextBody?.ReplaceLineEndings("\n"), Is.EqualTo(PasswordResetMail.Body));
            Assert.That(message.From.Mailboxes.Single().Address, Is.EqualTo("no-reply@idp.test"));
            Assert.That(message.To.Mailboxes.Single().Name, Is.EqualTo("山田 太郎"));
            Assert.That(message.MessageId, Is.EqualTo("reset-3@idp.test"));
        }
    }

    [Test]
    public void Send_NothingListening_ThrowsTransient()
    {
        // Bound but not listening: the port stays ours, and a connection to it is refused at once.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        var error = Assert.ThrowsAsync<MailTransportException>(
            () => CreateTransport(port).SendAsync(PasswordResetMail.Create("reset-4@idp.test"), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Kind, Is.EqualTo(MailFailureKind.Transient));
            Assert.That(error.IsRetryable, Is.True);
            Assert.That(error.InnerException, Is.InstanceOf<SocketException>());
        }
    }

    [Test]
    public async Task Send_RecipientRejectedWith550_ThrowsPermanent()
    {
        await using var server = await TestSmtpServer.StartAsync(
            _ => new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "5.1.1 No such user"));

        var error = Assert.ThrowsAsync<MailTransportException>(
            () => CreateTransport(server.Port).SendAsync(PasswordResetMail.Create("reset-5@idp.test"), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Kind, Is.EqualTo(MailFailureKind.Permanent));
            Assert.That(error.IsRetryable, Is.False);
            Assert.That(error.SmtpStatusCode, Is.EqualTo(550));
            Assert.That(server.Received.IsCompleted, Is.False);
        }
    }

    [Test]
    public async Task Send_RecipientDeferredWith450_ThrowsTransient()
    {
        await using var server = await TestSmtpServer.StartAsync(
            _ => new SmtpResponse(SmtpReplyCode.Unavailable, "4.2.1 Mailbox busy, try again later"));

        var error = Assert.ThrowsAsync<MailTransportException>(
            () => CreateTransport(server.Port).SendAsync(PasswordResetMail.Create("reset-6@idp.test"), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Kind, Is.EqualTo(MailFailureKind.Transient));
            Assert.That(error.SmtpStatusCode, Is.EqualTo(450));
        }
    }

    private static SmtpMailTransport CreateTransport(int port)
    {
        var options = Options.Create(new MailOptions
        {
            Mode = MailMode.Smtp,
            From = "どこでもBOX <no-reply@idp.test>",
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, Timeout = TimeSpan.FromSeconds(5) },
        });
        return new SmtpMailTransport(new MimeMessageFactory(options, TimeProvider.System), options, NullLogger<SmtpMailTransport>.Instance);
    }
}
