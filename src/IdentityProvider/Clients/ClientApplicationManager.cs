using IdentityProvider.Data;
using IdentityProvider.Persistence;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Core;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Clients;

/// <summary>
/// OpenIddict's application manager with client secrets stored as <see cref="ClientSecretHash"/>
/// (a keyed hash, microseconds) instead of PBKDF2 (milliseconds, on every token request). Secrets
/// hashed before by OpenIddict's PBKDF2 still verify, and are re-hashed on their first success.
/// Lookups by client_id and id are served by the cross-request <see cref="ApplicationCache"/>
/// (detached snapshots); every change drops it.
/// </summary>
public sealed partial class ClientApplicationManager(
    IOpenIddictApplicationCache<OpenIddictEntityFrameworkCoreApplication> cache,
    ILogger<OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>> logger,
    IOptionsMonitor<OpenIddictCoreOptions> options,
    IOpenIddictApplicationStore<OpenIddictEntityFrameworkCoreApplication> store,
    ApplicationCache applicationCache,
    IdpDbContext db)
    : OpenIddictApplicationManager<OpenIddictEntityFrameworkCoreApplication>(cache, logger, options, store)
{
    public override ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByClientIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        return applicationCache.FindByClientIdAsync(db, identifier, cancellationToken);
    }

    public override ValueTask<OpenIddictEntityFrameworkCoreApplication?> FindByIdAsync(string identifier, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        return applicationCache.FindByIdAsync(db, identifier, cancellationToken);
    }

    public override async ValueTask CreateAsync(OpenIddictEntityFrameworkCoreApplication application, string? secret, CancellationToken cancellationToken = default)
    {
        try
        {
            await base.CreateAsync(application, secret, cancellationToken);
        }
        finally
        {
            applicationCache.Invalidate();
        }
    }

    public override async ValueTask UpdateAsync(OpenIddictEntityFrameworkCoreApplication application, CancellationToken cancellationToken = default)
    {
        try
        {
            await base.UpdateAsync(application, cancellationToken);
        }
        finally
        {
            applicationCache.Invalidate();
        }
    }

    public override async ValueTask DeleteAsync(OpenIddictEntityFrameworkCoreApplication application, CancellationToken cancellationToken = default)
    {
        // A cached snapshot is detached: delete the instance this request's context tracks (or loads).
        var tracked = application.Id is null ? null : await Store.FindByIdAsync(application.Id, cancellationToken);
        try
        {
            await base.DeleteAsync(tracked ?? application, cancellationToken);
        }
        finally
        {
            applicationCache.Invalidate();
        }
    }

    public override async ValueTask<bool> ValidateClientSecretAsync(
        OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken = default)
    {
        if (!await base.ValidateClientSecretAsync(application, secret, cancellationToken))
        {
            return false;
        }

        if (!ClientSecretHash.IsFast(application.ClientSecret ?? string.Empty))
        {
            await RehashAsync(application, secret, cancellationToken);
        }

        return true;
    }

    protected override ValueTask<string> ObfuscateClientSecretAsync(string secret, CancellationToken cancellationToken = default) =>
        new(ClientSecretHash.Create(secret));

    protected override ValueTask<bool> ValidateClientSecretAsync(string secret, string comparand, CancellationToken cancellationToken = default) =>
        ClientSecretHash.IsFast(comparand)
            ? new(ClientSecretHash.Verify(secret, comparand))
            : base.ValidateClientSecretAsync(secret, comparand, cancellationToken); // PBKDF2 of OpenIddict's default

    /// <summary>
    /// Replaces a PBKDF2 hash with the fast one, so that the slow check happens once per client.
    /// Best effort: a concurrent request may have done it already, and a failure here must not
    /// fail the authentication that just succeeded.
    /// </summary>
    private async Task RehashAsync(OpenIddictEntityFrameworkCoreApplication application, string secret, CancellationToken cancellationToken)
    {
        try
        {
            var id = await Store.GetIdAsync(application, cancellationToken);
            var current = id is null ? null : await Store.FindByIdAsync(id, cancellationToken);
            if (current is null || ClientSecretHash.IsFast(current.ClientSecret ?? string.Empty))
            {
                return;
            }

            await Store.SetClientSecretAsync(current, ClientSecretHash.Create(secret), cancellationToken);
            await UpdateAsync(current, cancellationToken);
            LogRehashed(Logger, current.ClientId);
        }
        catch (Exception e) when (e is OpenIddictExceptions.ConcurrencyException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            LogRehashFailed(Logger, application.ClientId, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client secret of '{ClientId}' re-hashed from PBKDF2 to the keyed hash.")]
    private static partial void LogRehashed(ILogger logger, string? clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client secret of '{ClientId}' not re-hashed this time (changed concurrently); it still verifies.")]
    private static partial void LogRehashFailed(ILogger logger, string? clientId, Exception exception);
}
