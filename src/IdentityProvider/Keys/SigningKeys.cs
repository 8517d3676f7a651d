using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Keys;

/// <summary>
/// The credentials <see cref="TokenSigningHandler"/> signs each kind of token with, rather than
/// OpenIddict's own choice (its first credential, an HMAC key since it sorts symmetric keys first):
/// set by <see cref="ConfigureServerKeys"/> each time the keys are loaded.
/// </summary>
public sealed class SigningKeys
{
    private Snapshot current = new(null, null, null, null);

    /// <summary>
    /// The primary key: the active RS256 key, which signs ID tokens unless a client asked for ES256; null
    /// only before the keys are first loaded.
    /// </summary>
    public SigningCredentials? IdTokens => Volatile.Read(ref current).IdTokens;

    /// <summary>
    /// The active key of <c>Oidc:AccessTokenSigningAlgorithm</c>, or while none is active yet the primary
    /// key (<see cref="IdTokens"/>).
    /// </summary>
    public SigningCredentials? AccessTokens => Volatile.Read(ref current).AccessTokens;

    /// <summary>
    /// The ES256 key for ID tokens of clients registered with <c>id_token_signed_response_alg=ES256</c>:
    /// the active one, or while none is active yet (the first hour after an RSA-only deployment
    /// gains its ECDSA key) the published one — such a client refuses an RS256 ID token, and a relying
    /// party fetches the JWKS again when it meets an unknown <c>kid</c>.
    /// </summary>
    public SigningCredentials? Es256 => Volatile.Read(ref current).Es256;

    /// <summary>
    /// The HS256 key of the active encryption key (<see cref="ServerKeyStore.PrivateTokenSigningKey"/>),
    /// for codes, refresh tokens and the other tokens only this server reads.
    /// </summary>
    public SigningCredentials? PrivateTokens => Volatile.Read(ref current).PrivateTokens;

    /// <summary>All at once, so a handler never sees one key of an old load and one of a new.</summary>
    public void Set(SigningCredentials? idTokens, SigningCredentials? accessTokens, SigningCredentials? es256, SigningCredentials? privateTokens) =>
        Volatile.Write(ref current, new Snapshot(idTokens, accessTokens, es256, privateTokens));

    private sealed record Snapshot(SigningCredentials? IdTokens, SigningCredentials? AccessTokens, SigningCredentials? Es256, SigningCredentials? PrivateTokens);
}
