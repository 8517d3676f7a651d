using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;

namespace IdentityProvider.Mail;

/// <summary>
/// Turns <see cref="MailMessageContent"/> into the RFC 5322 message both transports send, so that
/// a pickup file and an SMTP submission of the same content are the same message.
/// </summary>
internal sealed partial class MimeMessageFactory(IOptions<MailOptions> options, TimeProvider time)
{
    /// <exception cref="MailTransportException">Permanent: the recipient address is malformed.</exception>
    /// <exception cref="ArgumentException">The caller's <see cref="MailMessageContent.MessageId"/> is malformed.</exception>
    public MimeMessage Create(MailMessageContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var from = MailboxAddress.Parse(options.Value.From); // validated at start (MailOptions.Validate)
        var message = new MimeMessage
        {
            Date = time.GetUtcNow(),
            Subject = content.Subject,
            MessageId = MessageIdFor(content, from),
            Body = new BodyBuilder
            {
                TextBody = Canonical(content.PlainTextBody),
                HtmlBody = content.HtmlBody is null ? null : Canonical(content.HtmlBody),
            }.ToMessageBody(),
        };
        message.From.Add(from);
        message.To.Add(Recipient(content));

        // Machine-sent: auto-responders and vacation replies must not answer it (RFC 3834 §5).
        message.Headers.Add("Auto-Submitted", "auto-generated");

        // 7-bit on the wire and on disk: base64 for Japanese text, encoded-words (RFC 2047, UTF-8)
        // for the subject and display names, so that any relay or pickup reader can carry it.
        message.Prepare(EncodingConstraint.SevenBit);
        return message;
    }

    private static MailboxAddress Recipient(MailMessageContent content)
    {
        try
        {
            var to = new MailboxAddress(content.ToName, content.ToAddress);
            if (!string.IsNullOrEmpty(to.Domain))
            {
                return to;
            }
        }
        catch (ParseException)
        {
        }

        throw new MailTransportException(MailFailureKind.Permanent, "The recipient address is not a valid addr-spec with a domain.");
    }

    private static string MessageIdFor(MailMessageContent content, MailboxAddress from)
    {
        if (content.MessageId is null)
        {
            return MimeUtils.GenerateMessageId(from.Domain);
        }

        // MimeKit would silently drop the characters it cannot carry; the outbox must get back the id it set.
        if (!MessageIdPattern().IsMatch(content.MessageId))
        {
            throw new ArgumentException(
                $"Message-Id \"{content.MessageId}\" is not left@right of printable ASCII without angle brackets.",
                nameof(content));
        }

        return content.MessageId;
    }

    /// <summary>Text bodies are encoded in canonical form, CRLF line breaks (RFC 2045 §6.8, RFC 2046 §4.1.1).</summary>
    private static string Canonical(string text) => text.ReplaceLineEndings("\r\n");

    [GeneratedRegex(@"^[\x21-\x7E-[<>@]]+@[\x21-\x7E-[<>@]]+$")]
    private static partial Regex MessageIdPattern();
}
