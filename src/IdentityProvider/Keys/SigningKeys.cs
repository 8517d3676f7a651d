using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Keys;

/// <summary>
/// The credentials <see cref="TokenSigningHandler"/> signs with instead of OpenIddict's first one
/// (the RS256 key): set by <see cref="ConfigureServerKeys"/> each time the keys are loaded.
/// </summary>
public sealed class SigningKeys
{
    private Snapshot current = new(null, null);

    /// <summary>The active key of <c>Oidc:AccessTokenSigningAlgorithm</c>; null while none is active yet.</summary>
    public SigningCredentials? AccessTokens => Volatile.Read(ref current).AccessTokens;

    /// <summary>
    /// The ES256 key for ID tokens of clients registered with <c>id_token_signed_response_alg=ES256</c>:
    /// the active one, or while none is active yet (the first hour after an RSA-only deployment
    /// gains its ECDSA key) the published one — such a client refuses an RS256 ID token, and a relying
    /// party fetches the JWKS again when it meets an unknown <c>kid</c>.
    /// </summary>
    public SigningCredentials? Es256 => Volatile.Read(ref current).Es256;

    /// <summary>Both at once, so a handler never sees one key of an old load and one of a new.</summary>
    public void Set(SigningCredentials? accessTokens, SigningCredentials? es256) => Volatile.Write(ref current, new Snapshot(accessTokens, es256));

    private sealed record Snapshot(SigningCredentials? AccessTokens, SigningCredentials? Es256);
}
