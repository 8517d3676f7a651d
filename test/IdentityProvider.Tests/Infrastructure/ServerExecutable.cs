using System.Diagnostics;

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
}
