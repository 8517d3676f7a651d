using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityProvider.Keys;

/// <summary>
/// Every <see cref="Interval"/>, compares the keys this node should use with what it loaded, and
/// reloads OpenIddict's keys when another node (or <c>keys rotate</c>) changed them, or when a
/// rotated-in key's activation time has come. Rotation therefore needs no restart.
/// </summary>
public sealed partial class ServerKeyRefresher(
    IServiceScopeFactory scopes,
    ServerKeyChangeTokenSource changes,
    IOptionsMonitor<OpenIddictServerOptions> server,
    TimeProvider time,
    ILogger<ServerKeyRefresher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>Checks once; when the keys to use differ from the loaded ones, reloads them now.</summary>
    public bool Refresh()
    {
        using var scope = scopes.CreateScope();
        var fingerprint = scope.ServiceProvider.GetRequiredService<ServerKeyStore>().Fingerprint();
        if (changes.Loaded is null || fingerprint == changes.Loaded)
        {
            return false;
        }

        changes.Signal();
        _ = server.CurrentValue; // rebuild here rather than in the next token request
        LogReloaded(logger);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            Refresh();
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    Refresh();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A database hiccup must not stop the refresher; the current keys stay in use.
                    LogRefreshFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Token signing/encryption keys changed in the database; reloaded.")]
    private static partial void LogReloaded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not check the token keys for changes; keeping the loaded ones.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
