using System.Globalization;
using IdentityProvider.Data;

namespace IdentityProvider.Mail;

/// <summary>
/// Queues a mail in the caller's unit of work: the row is added to the same <see cref="IdpDbContext"/>
/// as the state change and committed by the caller's SaveChanges, so both happen or neither does.
/// A Quartz job drains the table (see MailOutboxJob). The bodies are stored protected
/// (<see cref="MailBodyProtection"/>): they hold live links.
/// </summary>
public sealed class MailOutbox(IdpDbContext db, IMailComposer composer, MailBodyProtection bodies, TimeProvider time)
{
    public MailOutboxMessage Enqueue(MailTemplate template, string recipient, string? recipientName, CultureInfo culture, IReadOnlyDictionary<string, string> values)
    {
        var mail = composer.Compose(template, culture, values);
        var now = time.GetUtcNow();
        var id = Guid.NewGuid();
        var message = new MailOutboxMessage
        {
            Id = id,
            Template = template.ToString(),
            Recipient = recipient,
            RecipientName = recipientName,
            Subject = mail.Subject,
            TextBody = bodies.Protect(mail.TextBody),
            HtmlBody = mail.HtmlBody is null ? null : bodies.Protect(mail.HtmlBody),
            MessageId = $"{id:N}@idp.mail",
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.MailOutbox.Add(message);
        return message;
    }
}
