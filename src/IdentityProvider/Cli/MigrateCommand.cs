using System.CommandLine;
using IdentityProvider.Keys;

namespace IdentityProvider.Cli;

/// <summary><c>migrate</c>: applies the configured provider's migrations and creates the first keys.</summary>
public static class MigrateCommand
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var migrate = new Command("migrate", "Apply database migrations of the configured provider");
        migrate.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            await ServerPreparation.MigrateAsync(scope, token);
            await output.WriteLineAsync("database is up to date");
        }, ct, initialize: false));
        return migrate;
    }
}
