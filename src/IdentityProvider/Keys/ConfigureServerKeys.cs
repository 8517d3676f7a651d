using IdentityProvider.Authorization;
using IdentityProvider.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace IdentityProvider.Keys;

/// <summary>
/// Loads the persisted keys into OpenIddict when its options are first built (after start-up has
/// applied migrations). The first encryption credential is the one OpenIddict encrypts with; the
/// others are kept for decryption. Every signing credential validates; which one signs is chosen per
/// token by <see cref="TokenSigningHandler"/> from <see cref="SigningKeys"/>: the active key of
/// <see cref="OidcOptions.AccessTokenSigningAlgorithm"/>, the ES256 key, and the HS256 key derived from
/// each encryption key (<see cref="ServerKeyStore.PrivateTokenSigningKey"/>). Runs again whenever
/// <see cref="ServerKeyRefresher"/> signals a change.
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
        SigningCredentials? primary = null, forAccessTokens = null, es256 = null, forPrivateTokens = null;
        foreach (var (entity, key) in store.Load(ServerKeyUse.Signing))
        {
            var credentials = new SigningCredentials(key, entity.Algorithm);
            options.SigningCredentials.Add(credentials);
            primary ??= credentials;
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

        var hmacKeys = new List<SigningCredentials>();
        foreach (var (entity, key) in store.Load(ServerKeyUse.Encryption))
        {
            var encryption = (SymmetricSecurityKey)key;
            options.EncryptionCredentials.Add(new EncryptingCredentials(encryption, entity.Algorithm, SecurityAlgorithms.Aes256CbcHmacSha512));

            // Every encryption key brings its HS256 key along, to verify what it decrypts; the active one's signs.
            var credentials = new SigningCredentials(ServerKeyStore.PrivateTokenSigningKey(entity, encryption), SecurityAlgorithms.HmacSha256);
            hmacKeys.Add(credentials);
            if (forPrivateTokens is null && ServerKeyStore.IsActive(entity, now))
            {
                forPrivateTokens = credentials;
            }
        }

        // In front: OpenIddict sorts symmetric keys first, and a list already in that order keeps the
        // asymmetric keys' order through its sort, so the JWKS still lists the primary (RS256) key first.
        options.SigningCredentials.InsertRange(0, hmacKeys);

        // Until a key of the configured algorithm is active, access tokens get the primary key as well.
        signingKeys.Set(primary, forAccessTokens ?? primary, es256, forPrivateTokens);
    }
}
