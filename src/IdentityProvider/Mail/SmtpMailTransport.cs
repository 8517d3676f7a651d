using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Mail;

/// <summary>
/// <see cref="MailMode.Smtp"/>: one MailKit session per message (connect, authenticate if configured,
/// send, quit). Failures come out as <see cref="MailTransportException"/> classified by
/// <see cref="SmtpFailures"/>, for the outbox to retry or give up.
/// </summary>
internal sealed partial class SmtpMailTransport(
    MimeMessageFactory messages,
    IOptions<MailOptions> options,
    ILogger<SmtpMailTransport> logger) : IMailTransport
{
    public async Task SendAsync(MailMessageContent message, CancellationToken cancellationToken)
    {
        var mime = messages.Create(message);
        var smtp = options.Value.Smtp;
        var host = smtp.Host ?? throw new InvalidOperationException("Mail:Smtp:Host is not set.");
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        string reply;
        try
        {
            await client.ConnectAsync(host, smtp.Port, SocketOptions(smtp.Security), cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
            }

            reply = await client.SendAsync(mime, cancellationToken);
        }
        catch (Exception e) when (SmtpFailures.Classify(e, cancellationToken) is { } failure)
        {
            LogFailed(logger, mime.MessageId, failure.Kind, failure.SmtpStatusCode, e);
            throw failure;
        }
        finally
        {
            await DisconnectQuietlyAsync(client, mime.MessageId);
        }

        LogSent(logger, mime.MessageId, host, reply);
    }

    /// <summary>
    /// QUIT is a courtesy. Once the relay accepted the message, a failure here must not be reported as
    /// a failed send: the outbox would retry and the user would get the mail twice.
    /// </summary>
    private async Task DisconnectQuietlyAsync(SmtpClient client, string? messageId)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Whatever went wrong, the outcome of the send is already decided.
            LogQuitFailed(logger, messageId, e);
        }
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.Auto => SecureSocketOptions.Auto,
        _ => throw new ArgumentOutOfRangeException(nameof(security), security, "Unknown Mail:Smtp:Security."),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail <{MessageId}> accepted by SMTP relay {Host}: {Reply}")]
    private static partial void LogSent(ILogger logger, string? messageId, string host, string reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail <{MessageId}> not sent ({Kind}, SMTP status {StatusCode})")]
    private static partial void LogFailed(ILogger logger, string? messageId, MailFailureKind kind, int? statusCode, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mail <{MessageId}> was accepted; closing the SMTP session failed")]
    private static partial void LogQuitFailed(ILogger logger, string? messageId, Exception exception);
}
