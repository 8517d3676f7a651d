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
/// active key of <see cref="OidcOptions.AccessTokenSigningAlgorithm"/> and the ES256 key go to
/// <see cref="SigningKeys"/>. Runs again whenever <see cref="ServerKeyRefresher"/> signals a change.
/// </summary>
public sealed class ConfigureServerKeys(
    IServiceScopeFactory scopes,
    ServerKeyChangeTokenSource changes,
    SigningKeys signingKeys,
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
        SigningCredentials? forAccessTokens = null, es256 = null;
        foreach (var (entity, key) in store.Load(ServerKeyUse.Signing))
        {
            var credentials = new SigningCredentials(key, entity.Algorithm);
            options.SigningCredentials.Add(credentials);
            if (forAccessTokens is null && entity.Algorithm == oidc.Value.AccessTokenSigningAlgorithm && ServerKeyStore.IsActive(entity, now))
            {
                forAccessTokens = credentials;
            }

            // Load lists the active keys first, then the inactive ones newest first: the first ES256 key is
            // the active one, or while none is active yet the published one (see SigningKeys.Es256).
            if (es256 is null && entity.Algorithm == SecurityAlgorithms.EcdsaSha256)
            {
                es256 = credentials;
            }
        }

        signingKeys.Set(forAccessTokens, es256);

        foreach (var (entity, key) in store.Load(ServerKeyUse.Encryption))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials((SymmetricSecurityKey)key, entity.Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }
}
