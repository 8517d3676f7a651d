using System.CommandLine;
using System.Globalization;
using IdentityProvider.Common;
using IdentityProvider.Keys;

namespace IdentityProvider.Cli;

/// <summary>
/// The operator commands of the same executable (SPEC §11): same configuration and services as the
/// server. Exit codes: 0 success, 1 bad arguments, 2 request rejected, 3 unexpected failure.
/// </summary>
public static partial class OperatorCommands
{
    /// <summary>
    /// The first words that select a command rather than the server, taken from the command tree
    /// itself before any service exists: the commands only use their services when they run.
    /// </summary>
    private static readonly HashSet<string> Names = new(CommandNames(services: null!), StringComparer.Ordinal);

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    /// <summary>
    /// Help (<c>--help</c>, <c>-h</c>, <c>-?</c>, <c>help</c>) prints the usage and exits 0; a first
    /// word that is no command (<c>clinets</c>) names the closest one on standard error and exits 1.
    /// Null for anything else: a command, or the server with its arguments — which start with
    /// <c>-</c> or <c>/</c> (<c>--urls …</c>) or set a key (<c>Oidc:Issuer=…</c>).
    /// </summary>
    public static int? AnswerWithoutHost(string[] args, TextWriter output, TextWriter error)
    {
        var first = args.FirstOrDefault();
        if (first is null || Names.Contains(first))
        {
            return null;
        }

        if (HelpWords.Contains(first))
        {
            WriteUsage(output);
            return 0;
        }

        if (first.StartsWith('-') || first.StartsWith('/') || first.Contains('=', StringComparison.Ordinal))
        {
            return null;
        }

        error.WriteLine(ClosestName(first) is { } suggestion
            ? $"unknown command '{first}'. Did you mean '{suggestion}'?"
            : $"unknown command '{first}'. Commands: {string.Join(", ", Names.Order(StringComparer.Ordinal))}; see --help.");
        return 1;
    }

    /// <summary>The top-level commands of the command tree.</summary>
    internal static IEnumerable<string> CommandNames(IServiceProvider services) =>
        CreateRoot(services, TextWriter.Null).Subcommands.Select(c => c.Name);

    /// <summary>
    /// A command's standard output is its result (for scripts) and its standard error the one-line
    /// reason of a failure, so console logging is off unless configured
    /// (<c>Logging__Console__LogLevel__Default=Information</c>), and then goes to standard error.
    /// </summary>
    public static void QuietConsole(WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:Console:LogLevel:Default"] = "None" },
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    private static RootCommand CreateRoot(IServiceProvider services, TextWriter output) =>
        new("Identity provider operator commands.")
        {
            ClientCommands.Create(services, output),
            TenantCommands.Create(services, output),
            UserCommands.Create(services, output),
            KeyCommands.Create(services, output),
            MailCommands.Create(services, output),
            MigrateCommand.Create(services, output),
            AuditCommands.Create(services, output),
            TokenCommands.Create(services, output),
            RetentionCommands.Create(services, output),
        };

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        // Operators read English; the same services speak Japanese to end users.
        CultureInfo.CurrentUICulture = CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");

        var parsed = CreateRoot(services, output).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Some parser messages span lines ("Did you mean one of the following?" and a list).
            await error.WriteLineAsync(OneLine(string.Join(" ", parsed.Errors.Select(e => e.Message))));
            return 1;
        }

        try
        {
            // Without this, System.CommandLine catches every exception itself, prints the stack
            // trace and returns 1, so a rejected request would never become a one-line reason and exit 2.
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (RequestRejectedException rejected)
        {
            await error.WriteLineAsync($"error: {OneLine(rejected.Message)}");
            return 2;
        }
        catch (Exception unexpected)
        {
            LogUnexpectedFailure(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OperatorCommands)), args.FirstOrDefault() ?? string.Empty, unexpected);
            await error.WriteLineAsync($"error: unexpected failure ({unexpected.GetType().Name}): {OneLine(unexpected.Message)}");
            return 3;
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Runs an action inside a service scope, after the start-up steps every command needs: the
    /// server's, without its demo data — the schema current (or migrated, when configured) and the
    /// first keys created.
    /// </summary>
    internal static async Task<int> InScopeAsync(IServiceProvider services, Func<IServiceProvider, CancellationToken, Task> action, CancellationToken cancellationToken, bool initialize = true)
    {
        if (initialize)
        {
            using var startup = services.CreateScope();
            await ServerPreparation.RunAsync(startup.ServiceProvider, cancellationToken);
        }

        using var scope = services.CreateScope();
        scope.ServiceProvider.GetRequiredService<Audit.OperatorContext>().Set(Audit.OperatorContext.ForCommandLine());
        await action(scope.ServiceProvider, cancellationToken);
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Operator command '{Command}' failed unexpectedly")]
    private static partial void LogUnexpectedFailure(ILogger logger, string command, Exception exception);
}
