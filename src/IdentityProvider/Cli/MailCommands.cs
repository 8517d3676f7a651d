using System.CommandLine;
using IdentityProvider.Mail;

namespace IdentityProvider.Cli;

/// <summary><c>mail list [--status failed|pending|sent]</c>: the outbox as operators follow it (SPEC §11, §12).</summary>
public static class MailCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var status = new Option<string?>("--status") { Description = "failed, pending or sent; all when omitted" };
        status.AcceptOnlyFromAmong("failed", "pending", "sent");
        var limit = new Option<int>("--limit") { Description = "At most this many, newest first", DefaultValueFactory = _ => MailOutboxReport.DefaultLimit };
        var list = new Command("list", "List outbox mail: id, status, template, recipient, attempts and the last error") { status, limit };
        list.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var mails = await FlagNames.RunAsync(
                () => scope.GetRequiredService<MailOutboxReport>().ListAsync(parsed.GetValue(status), parsed.GetValue(limit), token),
                ("status", status), ("limit", limit));
            foreach (var mail in mails)
            {
                await output.WriteLineAsync($"{mail.Id:N}\t{mail.Status}\t{mail.Template}\t{mail.Recipient}\tcreated {mail.CreatedAt:u}\tattempts {mail.Attempts}\t{State(mail)}");
            }
        }, ct));

        return new Command("mail", "Follow the mail outbox") { list };
    }

    private static string State(OutboxMailSummary mail) => mail.Status switch
    {
        MailStatus.Sent => $"sent {mail.SentAt:u}",
        MailStatus.Failed => $"failed {mail.FailedAt:u}: {OneLine(mail.LastError)}",
        _ => $"next attempt {mail.NextAttemptAt:u}{(mail.LastError is null ? "" : $"; last error: {OneLine(mail.LastError)}")}",
    };

    private static string OneLine(string? text) => string.Join(' ', (text ?? "").Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
