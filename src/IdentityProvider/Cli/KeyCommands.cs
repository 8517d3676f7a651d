using System.CommandLine;
using IdentityProvider.Data;
using IdentityProvider.Keys;

namespace IdentityProvider.Cli;

/// <summary><c>keys list|rotate</c>: the rotation path of the persisted signing and encryption keys.</summary>
public static class KeyCommands
{
    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var list = new Command("list", "List signing and encryption keys");
        list.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            foreach (var key in await scope.GetRequiredService<ServerKeyStore>().ListAsync(token))
            {
                var state = key.RetiredAt is null ? "active" : $"retired {key.RetiredAt:u}, removed after {key.RemoveAfter:u}";
                await output.WriteLineAsync($"{key.Id:N}\t{key.Use}\t{key.Algorithm}\tcreated {key.CreatedAt:u}\t{state}");
            }
        }, ct));

        var use = new Option<ServerKeyUse>("--use") { Description = "Signing or Encryption", DefaultValueFactory = _ => ServerKeyUse.Signing };
        var rotate = new Command("rotate", "Create a new key and retire the current one (kept for validation for 30 days); restart the nodes afterwards") { use };
        rotate.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var key = await scope.GetRequiredService<ServerKeyStore>().RotateAsync(parsed.GetValue(use), token);
            await output.WriteLineAsync($"new {key.Use} key {key.Id:N} ({key.Algorithm}); restart every node to start using it");
        }, ct));

        return new Command("keys", "Manage token signing and encryption keys") { list, rotate };
    }
}
