using IdentityProvider.Authorization;
using IdentityProvider.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace IdentityProvider.Keys;

/// <summary>
/// Loads the persisted keys into OpenIddict when its options are first built (after start-up has
/// applied migrations). The first credential of each list is the one OpenIddict uses to sign or
/// encrypt (the RS256 key for signing); the others are kept for validation and decryption. The
/// active key of <see cref="OidcOptions.AccessTokenSigningAlgorithm"/> goes to
/// <see cref="AccessTokenSigningKey"/>. Runs again whenever <see cref="ServerKeyRefresher"/> signals a change.
/// </summary>
public sealed class ConfigureServerKeys(
    IServiceScopeFactory scopes,
    ServerKeyChangeTokenSource changes,
    AccessTokenSigningKey accessTokenKey,
    IOptions<OidcOptions> oidc,
    TimeProvider time) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<ServerKeyStore>();
        store.EnsureKeysAsync().GetAwaiter().GetResult();
        changes.Loaded = store.Fingerprint();

        var now = time.GetUtcNow();
        SigningCredentials? forAccessTokens = null;
        foreach (var (entity, key) in store.Load(ServerKeyUse.Signing))
        {
            var credentials = new SigningCredentials(key, entity.Algorithm);
            options.SigningCredentials.Add(credentials);
            if (forAccessTokens is null && entity.Algorithm == oidc.Value.AccessTokenSigningAlgorithm && ServerKeyStore.IsActive(entity, now))
            {
                forAccessTokens = credentials;
            }
        }

        accessTokenKey.Current = forAccessTokens;

        foreach (var (entity, key) in store.Load(ServerKeyUse.Encryption))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials((SymmetricSecurityKey)key, entity.Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }
}
