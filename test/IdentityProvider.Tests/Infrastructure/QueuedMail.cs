using System.Text.RegularExpressions;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>The mails a flow queued in the outbox (the drain job sends them), and the links in them.</summary>
public static partial class QueuedMail
{
    public static Task<List<MailOutboxMessage>> ForAsync(IdpTestHost host, string recipient, string? template = null) =>
        host.InScopeAsync(async services => await services.GetRequiredService<IdpDbContext>().MailOutbox
            .Where(m => m.Recipient == recipient && (template == null || m.Template == template))
            .OrderBy(m => m.CreatedAt)
            .ToListAsync());

    /// <summary>The path and query of the one link to <paramref name="pagePath"/> in a mail's text (the host is the server's).</summary>
    public static string LinkIn(string text, string pagePath)
    {
        var matches = Link().Matches(text).Select(m => new Uri(m.Value)).Where(u => u.AbsolutePath == pagePath).ToList();
        Assert.That(matches, Has.Count.EqualTo(1), () => $"one link to {pagePath} in:\n{text}");
        return matches[0].PathAndQuery;
    }

    /// <summary>The token of a link path (…?token=…).</summary>
    public static string TokenOf(string link) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri("https://localhost"), link).Query)["token"].ToString();

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex Link();
}
