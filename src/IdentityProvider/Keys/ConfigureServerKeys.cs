using IdentityProvider.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace IdentityProvider.Keys;

/// <summary>
/// Loads the persisted keys into OpenIddict when its options are first built (after start-up has
/// applied migrations). The first credential of each list is the one OpenIddict uses to sign or
/// encrypt; the others are kept for validation and decryption. Runs again whenever
/// <see cref="ServerKeyRefresher"/> signals a change.
/// </summary>
public sealed class ConfigureServerKeys(IServiceScopeFactory scopes, ServerKeyChangeTokenSource changes) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ServerKeyStore>();
        store.EnsureKeysAsync().GetAwaiter().GetResult();
        changes.Loaded = store.Fingerprint();

        foreach (var (entity, key) in store.Load(ServerKeyUse.Signing))
        {
            options.SigningCredentials.Add(new SigningCredentials(key, entity.Algorithm));
        }

        foreach (var (entity, key) in store.Load(ServerKeyUse.Encryption))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials((SymmetricSecurityKey)key, entity.Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }
}
