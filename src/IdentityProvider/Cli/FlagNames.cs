using System.CommandLine;
using IdentityProvider.Common;

namespace IdentityProvider.Cli;

/// <summary>
/// The services name a refused input by its admin API (JSON) name; at the terminal the operator
/// typed a flag, so the refusal is rethrown naming the flag (<c>--redirect-uri: …</c>, not
/// <c>redirectUris: …</c>).
/// </summary>
internal static class FlagNames
{
    /// <param name="flags">Each JSON field of the request with the option that gives it.</param>
    public static async Task<T> RunAsync<T>(Func<Task<T>> action, params (string Field, Option Option)[] flags)
    {
        try
        {
            return await action();
        }
        catch (RequestRejectedException rejected) when (rejected.Field is { } field && flags.Any(f => f.Field == field))
        {
            throw rejected.NamingField(flags.First(f => f.Field == field).Option.Name);
        }
    }
}
