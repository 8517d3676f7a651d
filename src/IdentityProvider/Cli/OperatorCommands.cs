using System.CommandLine;
using System.Globalization;
using IdentityProvider.Common;
using IdentityProvider.Hosting;

namespace IdentityProvider.Cli;

/// <summary>
/// The operator commands of the same executable (SPEC §11): same configuration and services as the
/// server. Exit codes: 0 success, 1 bad arguments, 2 request rejected, 3 unexpected failure.
/// </summary>
public static class OperatorCommands
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal) { "clients", "tenants", "users", "keys", "migrate" };

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        // Operators read English; the same services speak Japanese to end users.
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");

        var root = new RootCommand("Identity provider operator commands.")
        {
            ClientCommands.Create(services, output),
            TenantCommands.Create(services, output),
            UserCommands.Create(services, output),
            KeyCommands.Create(services, output),
            MigrateCommand.Create(services, output),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await error.WriteLineAsync(string.Join(" ", parsed.Errors.Select(e => e.Message)));
            return 1;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        }
        catch (RequestRejectedException rejected)
        {
            await error.WriteLineAsync($"error: {rejected.Message}");
            return 2;
        }
    }

    /// <summary>Runs an action inside a service scope, after the start-up steps every command needs.</summary>
    internal static async Task<int> InScopeAsync(IServiceProvider services, Func<IServiceProvider, CancellationToken, Task> action, CancellationToken cancellationToken, bool initialize = true)
    {
        if (initialize)
        {
            await services.GetRequiredService<IHost>().InitializeIdentityProviderAsync(seedDevelopmentData: false, cancellationToken);
        }

        using var scope = services.CreateScope();
        await action(scope.ServiceProvider, cancellationToken);
        return 0;
    }
}
