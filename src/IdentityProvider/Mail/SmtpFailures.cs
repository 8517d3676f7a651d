using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace IdentityProvider.Mail;

/// <summary>
/// Sorts what MailKit throws into <see cref="MailFailureKind"/>. The reply code decides where there is
/// one (RFC 5321 §4.2.1: 4yz transient, 5yz permanent); the command it answered decides whether a 5yz
/// is about the message or about us.
/// </summary>
internal static class SmtpFailures
{
    /// <returns>Null for what is not a mail failure: the caller's own cancellation, or a bug.</returns>
    public static MailTransportException? Classify(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        SmtpCommandException command => FromReply(command),
        ServiceNotAuthenticatedException => new(MailFailureKind.Configuration,
            "The SMTP relay requires authentication: set Mail:Smtp:UserName and Mail:Smtp:Password.", exception),
        AuthenticationException => new(MailFailureKind.Configuration,
            "The SMTP relay refused the credentials of Mail:Smtp:UserName.", exception),
        SslHandshakeException => new(MailFailureKind.Configuration,
            "TLS with the SMTP relay failed (certificate or protocol); check Mail:Smtp:Security and Port.", exception),
        NotSupportedException => new(MailFailureKind.Configuration,
            "The SMTP relay does not support what Mail:Smtp asks for (STARTTLS or authentication).", exception),

        // Unreachable, refused, timed out (MailKit reports its own timeout as cancellation or
        // TimeoutException), or the session broke: the relay may well be back later.
        SocketException or IOException or TimeoutException or OperationCanceledException
            or SmtpProtocolException or ServiceNotConnectedException => new(MailFailureKind.Transient,
            "The SMTP relay could not be reached or the session broke: " + exception.Message, exception),
        _ => null,
    };

    private static MailTransportException FromReply(SmtpCommandException exception)
    {
        var code = (int)exception.StatusCode;
        var kind = code switch
        {
            < 500 => MailFailureKind.Transient,
            _ => exception.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted => MailFailureKind.Permanent,

                // MAIL FROM is our configured From; anything else (greeting, EHLO, STARTTLS) is the
                // relay refusing the session: neither is this message's fault.
                _ => MailFailureKind.Configuration,
            },
        };
        var what = exception.ErrorCode switch
        {
            SmtpErrorCode.RecipientNotAccepted => "the recipient",
            SmtpErrorCode.MessageNotAccepted => "the message",
            SmtpErrorCode.SenderNotAccepted => "the sender (Mail:From)",
            _ => "the session",
        };
        return new MailTransportException(kind, $"The SMTP relay rejected {what}: {code} {exception.Message}", exception)
        {
            SmtpStatusCode = code,
        };
    }
}
