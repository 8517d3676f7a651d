using System.CommandLine;
using System.Globalization;
using IdentityProvider.Audit;

namespace IdentityProvider.Cli;

/// <summary><c>audit list</c>: the security events, newest first, one tab-separated line each.</summary>
public static class AuditCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        // Resolved when an option is parsed, not here: the command tree is also built without
        // services, to learn the command names (OperatorCommands.IsCommand).
        TimeProvider Time() => services.GetRequiredService<TimeProvider>();
        var tenant = new Option<string?>("--tenant") { Description = "Tenant name or id" };
        var since = InstantOption("--since", "Events at or after this time", Time);
        var until = InstantOption("--until", "Events before this time", Time);
        var kind = new Option<string?>("--kind") { Description = "Event kind, e.g. SignIn, ClientRegistered" };
        kind.AcceptOnlyFromAmong(Enum.GetNames<AuditKind>());
        var subject = new Option<string?>("--subject") { Description = "Who the event is about: e-mail address, client_id or tenant name" };
        var outcome = new Option<string?>("--outcome") { Description = "Success or Failure" };
        outcome.AcceptOnlyFromAmong("Success", "Failure");
        var limit = new Option<int>("--limit") { Description = $"At most this many events (1-{AuditQuery.MaxLimit})", DefaultValueFactory = _ => AuditQuery.DefaultLimit };
        var before = new Option<long?>("--before") { Description = "Only events older than this id (the next page)" };

        var list = new Command("list", "List security events, newest first: time, id, kind, outcome, tenant, subject, reason, IP, user agent")
        {
            tenant, since, until, kind, subject, outcome, limit, before,
        };
        list.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var page = await FlagNames.RunAsync(
                () => scope.GetRequiredService<AuditQuery>().ListAsync(new AuditFilter
                {
                    Tenant = parsed.GetValue(tenant),
                    Since = parsed.GetValue(since),
                    Until = parsed.GetValue(until),
                    Kind = parsed.GetValue(kind),
                    Subject = parsed.GetValue(subject),
                    Outcome = parsed.GetValue(outcome),
                    Limit = parsed.GetValue(limit),
                    Before = parsed.GetValue(before),
                }, token),
                ("tenant", tenant), ("since", since), ("until", until), ("kind", kind), ("subject", subject), ("outcome", outcome), ("limit", limit), ("before", before));
            foreach (var entry in page.Events)
            {
                await output.WriteLineAsync(Format(entry));
            }

            if (page.NextBefore is { } next)
            {
                // Not on standard output, which carries only events.
                await parsed.InvocationConfiguration.Error.WriteLineAsync($"more events: add --before {next}");
            }
        }, ct));

        return new Command("audit", "Read the audit log of security events") { list };
    }

    /// <summary>Time first (ISO 8601, UTC), then the rest; "-" for an empty field, so that every line has nine fields.</summary>
    private static string Format(AuditEntry entry) => string.Join('\t',
        entry.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        entry.Id.ToString(CultureInfo.InvariantCulture),
        entry.Kind,
        entry.Outcome,
        Field(entry.TenantName ?? entry.TenantId?.ToString()),
        Field(entry.Subject),
        Field(entry.Reason),
        Field(entry.IpAddress),
        Field(entry.UserAgent));

    // A user agent is whatever a client sent: no tab or line break may split a line.
    private static string Field(string? value) =>
        string.IsNullOrEmpty(value) ? "-" : string.Create(value.Length, value, (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = char.IsControl(text[i]) ? ' ' : text[i];
            }
        });

    private static Option<DateTimeOffset?> InstantOption(string name, string description, Func<TimeProvider> time) => new(name)
    {
        Description = $"{description}: {AuditTime.Formats}",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (AuditTime.TryParse(text, time().GetUtcNow(), out var value))
            {
                return value;
            }

            result.AddError($"{name} '{text}' is not a time: use {AuditTime.Formats}.");
            return null;
        },
    };
}
