using System.CommandLine;
using System.Globalization;
using IdentityProvider.Authorization;

namespace IdentityProvider.Cli;

/// <summary><c>tokens prune</c>: one pruning pass now, as the hourly job runs it (after an upgrade with a backlog, say).</summary>
public static class TokenCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var prune = new Command("prune", "Delete token entries that can no longer be used, and authorizations left without tokens, created before the retention (what the TokenPruning job does every interval)");
        prune.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var pruner = scope.GetRequiredService<TokenPruner>();
            var result = await pruner.PruneOnceAsync(token);
            await output.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"pruned {result.Tokens} token entries and {result.Authorizations} authorizations created more than {pruner.EffectiveRetention.TotalDays:0.##} days ago"));
        }, ct));

        return new Command("tokens", "Manage the stored tokens") { prune };
    }
}
