using System.CommandLine;
using System.Globalization;
using IdentityProvider.Retention;

namespace IdentityProvider.Cli;

/// <summary><c>retention prune</c>: one retention pass now, as the job runs it every <c>Retention:Interval</c>.</summary>
public static class RetentionCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var prune = new Command("prune", "Delete audit events, sent mail, spent links, failure counters and sessions past their retention (what the Retention job does every interval)");
        prune.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var pruner = scope.GetRequiredService<RetentionPruner>();
            var result = await pruner.PruneOnceAsync(token);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"pruned {result.AuditEvents} audit events older than {pruner.Options.Audit.TotalDays:0.##} days, {result.Mails} mails, {result.Links} links and {result.FailureCounters} failure counters past their retention ({pruner.Options.Default.TotalDays:0.##} days), and {result.Sessions} expired sessions"));
        }, ct));

        return new Command("retention", "Delete records past their retention") { prune };
    }
}
