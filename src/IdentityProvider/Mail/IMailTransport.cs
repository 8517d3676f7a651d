namespace IdentityProvider.Mail;

/// <summary>
/// Hands one message to the mail system: a pickup folder or an SMTP relay, as configured
/// (<see cref="MailOptions.Mode"/>). Meant to be called by the outbox job, which owns retries.
/// </summary>
public interface IMailTransport
{
    /// <summary>Returns once the message is handed over (file in place, or the relay answered 250 to DATA).</summary>
    /// <exception cref="MailTransportException">
    /// The message was not handed over; <see cref="MailTransportException.Kind"/> says whether trying
    /// again can help.
    /// </exception>
    /// <exception cref="OperationCanceledException">Only when <paramref name="cancellationToken"/> was cancelled.</exception>
    Task SendAsync(MailMessageContent message, CancellationToken cancellationToken);
}
