using System.CommandLine;
using IdentityProvider.Data;
using IdentityProvider.Keys;

namespace IdentityProvider.Cli;

/// <summary><c>keys list|rotate</c>: the rotation path of the persisted signing and encryption keys.</summary>
public static class KeyCommands
{
    /// <summary>A rotation is meant to finish; a longer delay (or one past the calendar's end) is a typo.</summary>
    public static readonly TimeSpan MaxActivationDelay = TimeSpan.FromDays(90);

    public static Command Create(IServiceProvider services, TextWriter output)
    {
        var list = new Command("list", "List signing and encryption keys");
        list.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            foreach (var key in await scope.GetRequiredService<ServerKeyStore>().ListAsync(token))
            {
                var state = key.RetiredAt is null ? $"active from {key.ActivatesAt:u}" : $"active {key.ActivatesAt:u} to {key.RetiredAt:u}, published until {key.RemoveAfter:u}";
                await output.WriteLineAsync($"{key.Id:N}\t{key.Use}\t{key.Algorithm}\tcreated {key.CreatedAt:u}\t{state}");
            }
        }, ct));

        var use = new Option<ServerKeyUse>("--use") { Description = "Signing or Encryption", DefaultValueFactory = _ => ServerKeyUse.Signing };
        var delay = new Option<TimeSpan>("--activate-after")
        {
            Description = "Publish the new key now, use it after this delay (hh:mm:ss); the current key retires then",
            DefaultValueFactory = _ => ServerKeyStore.DefaultActivationDelay,
        };
        var rotate = new Command("rotate", "Create a new key; it signs after the delay, the current one retires then and stays published 30 days") { use, delay };
        rotate.SetAction((parsed, ct) => OperatorCommands.InScopeAsync(services, async (scope, token) =>
        {
            var after = parsed.GetValue(delay);
            if (after < ServerKeyRefresher.Interval * 2)
            {
                throw Common.RequestRejectedException.Invalid($"--activate-after must be at least {ServerKeyRefresher.Interval * 2} so that every node loads the key before it is used.");
            }

            if (after > MaxActivationDelay)
            {
                throw Common.RequestRejectedException.Invalid($"--activate-after must be at most {MaxActivationDelay.TotalDays:0} days: the current key keeps signing until then.");
            }

            foreach (var key in await scope.GetRequiredService<ServerKeyStore>().RotateAsync(parsed.GetValue(use), after, token))
            {
                await output.WriteLineAsync($"new {key.Use} key {key.Id:N} ({key.Algorithm}), published now, in use from {key.ActivatesAt:u}; running nodes reload keys every {ServerKeyRefresher.Interval.TotalMinutes:0} minutes");
            }
        }, ct));

        return new Command("keys", "Manage token signing and encryption keys") { list, rotate };
    }
}
