using IdentityProvider.Cli;
using IdentityProvider.Hosting;

// A leading "--" only separates a launcher's arguments from ours (dotnet IdentityProvider.dll -- …).
var arguments = args is ["--", .. var rest] ? rest : args;

// One executable: the server, or an operator command when the first argument names one. Help and
// a mistyped command are answered before anything is built: neither migrates nor runs jobs.
if (OperatorCommands.AnswerWithoutHost(arguments, Console.Out, Console.Error) is { } answered)
{
    return answered;
}

var isCommand = OperatorCommands.IsCommand(arguments);
WebApplication? app = null;
try
{
    var builder = WebApplication.CreateBuilder(isCommand ? [] : arguments);
    if (isCommand)
    {
        OperatorCommands.QuietConsole(builder);
    }

    builder.AddIdentityProvider();

    app = builder.Build();
    if (isCommand)
    {
        return await OperatorCommands.RunAsync(app.Services, arguments);
    }

    app.UseIdentityProvider();
    await app.InitializeIdentityProviderAsync(seedDevelopmentData: true);
    await app.RunAsync();
    return 0;
}
catch (Exception failure) when (StartupFailure.IsProcessEntryPoint)
{
    // Bad configuration, a port in use, an unreachable database: one line and exit code 3. A test
    // that runs this entry point inside its own process gets the exception itself instead.
    await StartupFailure.ReportAsync(failure, app, Console.Error);
    return StartupFailure.ExitCode;
}

/// <summary>Entry point, public so that tests can host it.</summary>
public partial class Program;
