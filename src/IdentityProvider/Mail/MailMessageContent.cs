using System.Text;

namespace IdentityProvider.Mail;

/// <summary>
/// One mail to one user, as the outbox stores it: what to say, not how to encode it. The From
/// mailbox comes from <see cref="MailOptions.From"/>.
/// </summary>
public sealed record MailMessageContent
{
    /// <summary>The recipient's address (the user's login ID).</summary>
    public required string ToAddress { get; init; }

    /// <summary>Display name shown beside the address, e.g. 山田 太郎; none when unknown.</summary>
    public string? ToName { get; init; }

    /// <summary>The subject, e.g. 【どこでもBOX】パスワードリセット .</summary>
    public required string Subject { get; init; }

    /// <summary>Always present: every client can show it, and the HTML part, if any, is an alternative to it.</summary>
    public required string PlainTextBody { get; init; }

    public string? HtmlBody { get; init; }

    /// <summary>
    /// The <c>Message-Id</c> (RFC 5322 §3.6.4) without angle brackets, <c>left@right</c>. The outbox
    /// sets its own so that a retry after an uncertain send (connection lost after DATA) carries the
    /// same id, which makes the duplicate recognisable. Null: a fresh id in the From domain.
    /// </summary>
    public string? MessageId { get; init; }

    /// <summary>Bodies hold single-use links: keep them out of any log that prints this record.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("MessageId = ").Append(MessageId).Append(", Subject = ").Append(Subject);
        return true;
    }
}
