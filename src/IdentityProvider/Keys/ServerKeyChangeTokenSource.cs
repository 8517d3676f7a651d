using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace IdentityProvider.Keys;

/// <summary>
/// Tells the options system that OpenIddict's server and validation options must be built again
/// (and so reload their keys from the database) when <see cref="ServerKeyRefresher"/> sees a change.
/// </summary>
public sealed class ServerKeyChangeTokenSource : IOptionsChangeTokenSource<OpenIddictServerOptions>, IOptionsChangeTokenSource<OpenIddictValidationOptions>
{
    private CancellationTokenSource current = new();

    private string? loaded;

    public string Name => Options.DefaultName;

    /// <summary>The key set (<see cref="ServerKeyStore.Fingerprint"/>) the current options were built with.</summary>
    public string? Loaded
    {
        get => Volatile.Read(ref loaded);
        set => Volatile.Write(ref loaded, value);
    }

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref current).Token);

    public void Signal()
    {
        var previous = Interlocked.Exchange(ref current, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }
}
