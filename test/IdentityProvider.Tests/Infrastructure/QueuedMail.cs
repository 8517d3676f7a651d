using System.Text.RegularExpressions;
using IdentityProvider.Data;
using IdentityProvider.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>The mails a flow queued in the outbox (the drain job sends them), and the links in them.</summary>
public static partial class QueuedMail
{
    /// <summary>
    /// The outbox rows for <paramref name="recipient"/>, with their bodies readable: decrypted while
    /// the mail waits, or read back from the pickup folder once the drain job has sent it (the row's
    /// body is blanked then).
    /// </summary>
    public static Task<List<MailOutboxMessage>> ForAsync(IdpTestHost host, string recipient, string? template = null) =>
        host.InScopeAsync(async services =>
        {
            var rows = await services.GetRequiredService<IdpDbContext>().MailOutbox.AsNoTracking()
                .Where(m => m.Recipient == recipient && (template == null || m.Template == template))
                .OrderBy(m => m.CreatedAt)
                .ToListAsync();
            var bodies = services.GetRequiredService<MailBodyProtection>();
            var pickup = services.GetRequiredService<IOptions<MailOptions>>().Value.PickupDirectory;
            foreach (var row in rows)
            {
                if (row.TextBody.Length > 0)
                {
                    row.TextBody = bodies.Unprotect(row.TextBody);
                    row.HtmlBody = row.HtmlBody is null ? null : bodies.Unprotect(row.HtmlBody);
                }
                else
                {
                    var sent = await SentAsync(pickup, row.MessageId);
                    row.TextBody = sent.TextBody ?? string.Empty;
                    row.HtmlBody = sent.HtmlBody;
                }
            }

            return rows;
        });

    /// <summary>The path and query of the one link to <paramref name="pagePath"/> in a mail's text (the host is the server's).</summary>
    public static string LinkIn(string text, string pagePath)
    {
        var matches = Link().Matches(text).Select(m => new Uri(m.Value)).Where(u => u.AbsolutePath == pagePath).ToList();
        Assert.That(matches, Has.Count.EqualTo(1), () => $"one link to {pagePath} in:\n{text}");
        return matches[0].PathAndQuery;
    }

    /// <summary>The token of a link path (…?token=…).</summary>
    public static string TokenOf(string link) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri("https://localhost"), link).Query)["token"].ToString();

    /// <summary>The mail with <paramref name="messageId"/> as the pickup transport wrote it.</summary>
    public static async Task<MimeKit.MimeMessage> SentAsync(string pickupDirectory, string messageId)
    {
        foreach (var path in Directory.Exists(pickupDirectory) ? Directory.GetFiles(pickupDirectory, "*.eml") : [])
        {
            var message = await MimeKit.MimeMessage.LoadAsync(path);
            if (message.MessageId == messageId)
            {
                return message;
            }
        }

        Assert.Fail($"mail <{messageId}> is neither waiting in the outbox nor in the pickup folder {pickupDirectory}");
        throw new InvalidOperationException();
    }

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex Link();
}
