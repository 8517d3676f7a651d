using IdentityProvider.Cli;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Cli;

/// <summary>Runs an operator command in process, on the services of a running test host.</summary>
public static class OperatorCli
{
    public static async Task<CommandResult> RunAsync(IdpTestHost host, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await OperatorCommands.RunAsync(host.Services, args, output, error);
        return new CommandResult(exitCode, output.ToString(), error.ToString());
    }
}
