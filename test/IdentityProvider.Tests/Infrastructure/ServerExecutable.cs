using System.Diagnostics;
using IdentityProvider.Tests.Cli;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// How tests start the real executable as a child process, the server or an operator command:
/// <c>dotnet IdentityProvider.dll</c> from the tests' bin folder, its output redirected, and none of
/// the test runner's own ASP.NET Core environment leaking into its configuration.
/// </summary>
internal static class ServerExecutable
{
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var binFolder = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = binFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(binFolder, "IdentityProvider.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        return start;
    }

    /// <summary>Runs <paramref name="start"/> to its end and returns its exit code and output; killed, with a <see cref="TimeoutException"/>, past <paramref name="timeout"/>.</summary>
    public static async Task<CommandResult> RunToEndAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', start.ArgumentList.Skip(1))}' did not finish within {timeout.TotalSeconds} s.");
        }

        return new CommandResult(process.ExitCode, await output, await error);
    }
}
