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
        SigningCredentials? forAccessTokens = null, activeEs256 = null, publishedEs256 = null;
        foreach (var (entity, key) in store.Load(ServerKeyUse.Signing))
        {
            var credentials = new SigningCredentials(key, entity.Algorithm);
            options.SigningCredentials.Add(credentials);
            var active = ServerKeyStore.IsActive(entity, now);
            if (forAccessTokens is null && active && entity.Algorithm == oidc.Value.AccessTokenSigningAlgorithm)
            {
                forAccessTokens = credentials;
            }

            if (entity.Algorithm == SecurityAlgorithms.EcdsaSha256)
            {
                publishedEs256 ??= credentials;
                activeEs256 ??= active ? credentials : null;
            }
        }

        signingKeys.Set(forAccessTokens, activeEs256 ?? publishedEs256);

        foreach (var (entity, key) in store.Load(ServerKeyUse.Encryption))
        {
            options.EncryptionCredentials.Add(new EncryptingCredentials((SymmetricSecurityKey)key, entity.Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512));
        }
    }
}
