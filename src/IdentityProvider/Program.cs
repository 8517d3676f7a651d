using IdentityProvider.Cli;
using IdentityProvider.Hosting;

// One executable: the server, or an operator command when the first argument names one.
var isCommand = OperatorCommands.IsCommand(args);
var builder = WebApplication.CreateBuilder(isCommand ? [] : args);
if (isCommand)
{
    OperatorCommands.QuietConsole(builder);
}

builder.AddIdentityProvider();

var app = builder.Build();
if (isCommand)
{
    return await OperatorCommands.RunAsync(app.Services, args);
}

// The pipeline first: it checks the server's configuration before the database is touched.
app.UseIdentityProvider();
await app.InitializeIdentityProviderAsync(seedDevelopmentData: true);
await app.RunAsync();
return 0;

/// <summary>Entry point, public so that tests can host it.</summary>
public partial class Program;
