using System.Text.RegularExpressions;
using IdentityProvider.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

/// <summary>
/// What the executable prints, on one line of standard error before it exits with code 3, when the
/// server or a command cannot start: the configuration key at fault and what to do, never a stack
/// trace. The exception itself goes to the log at Debug level (<c>IdentityProvider.Startup</c>).
/// </summary>
public static partial class StartupFailure
{
    public const int ExitCode = 3;

    /// <summary>Whether this process was started as the identity provider, rather than hosting it (a test).</summary>
    public static bool IsProcessEntryPoint => System.Reflection.Assembly.GetEntryAssembly() == typeof(StartupFailure).Assembly;

    /// <summary>
    /// Writes the line, logs the exception at Debug, and disposes the host (if it was built) so that
    /// what it logged before the failure reaches the console.
    /// </summary>
    public static async Task ReportAsync(Exception failure, IHost? host, TextWriter error)
    {
        await error.WriteLineAsync(Describe(failure));
        if (host is null)
        {
            return;
        }

        try
        {
            LogFailure(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IdentityProvider.Startup"), failure);
            await ((IAsyncDisposable)host).DisposeAsync();
        }
        catch (Exception)
        {
            // The line above is what counts; a host that fails to stop as well adds nothing to it.
        }
    }

    public static string Describe(Exception failure) => OneLine(failure switch
    {
        StartupConfigurationException configuration => configuration.Message,
        OptionsValidationException validation => $"Invalid configuration: {string.Join(" ", validation.Failures)}",
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            $"Invalid configuration: {string.Join(" ", aggregate.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures))}",
        IOException { InnerException: AddressInUseException } inUse => PortInUse(inUse.Message),
        _ => $"The server could not start ({failure.GetType().Name}): {failure.Message}",
    });

    private static string PortInUse(string message)
    {
        // Kestrel: "Failed to bind to address http://127.0.0.1:5000: address already in use."
        var address = BoundAddress().Match(message);
        if (!address.Success)
        {
            return $"{message.TrimEnd('.')}: stop the other process or choose another address with --urls.";
        }

        var port = int.Parse(address.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var other = $"{address.Groups["scheme"].Value}://{address.Groups["host"].Value}:{(port == ushort.MaxValue ? port - 1 : port + 1)}";
        return $"Port {port} is already in use ({address.Value}): stop the other process or choose another address with --urls {other}";
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Start-up failed")]
    private static partial void LogFailure(ILogger logger, Exception exception);

    [GeneratedRegex(@"(?<scheme>https?)://(?<host>\[[^\]]+\]|[^/:\s]+):(?<port>\d+)")]
    private static partial Regex BoundAddress();
}
