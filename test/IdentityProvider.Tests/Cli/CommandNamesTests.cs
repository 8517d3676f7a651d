using IdentityProvider.Cli;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Cli;

/// <summary>
/// The executable decides "command or server" from the first argument before it builds anything;
/// every command of the tree must be on that list, or running it starts the server instead.
/// </summary>
public sealed class CommandNamesTests
{
    [Test]
    public async Task EveryCommand_IsRecognisedAsOne_BeforeTheHostIsBuilt()
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite);

        var names = OperatorCommands.CommandNames(host.Services).ToList();

        Assert.That(names, Does.Contain("tokens"));
        Assert.That(names.Where(name => !OperatorCommands.IsCommand([name])), Is.Empty, "these would start the server");
    }
}
