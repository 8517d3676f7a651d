using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Clients;

/// <summary>Our entries in an application's OpenIddict settings (beside OpenIddict's own <c>tkn_lft:</c> keys).</summary>
public static class ClientSettings
{
    /// <summary>OIDC Dynamic Client Registration §2 <c>id_token_signed_response_alg</c>; absent means RS256.</summary>
    public const string IdTokenSignedResponseAlg = "idp:id_token_signed_response_alg";

    public const string Rs256 = SecurityAlgorithms.RsaSha256;

    public const string Es256 = SecurityAlgorithms.EcdsaSha256;

    /// <summary>The algorithms a client may register for its ID tokens: the two kinds of signing key we keep.</summary>
    public static readonly IReadOnlyList<string> IdTokenAlgorithms = [Rs256, Es256];

    public static string IdTokenAlgorithm(IReadOnlyDictionary<string, string> settings) =>
        settings.TryGetValue(IdTokenSignedResponseAlg, out var value) && value == Es256 ? Es256 : Rs256;

    /// <summary>
    /// The browser origins that may call the token, revocation and userinfo endpoints for this client
    /// (<see cref="ClientCorsMiddleware"/>), as <see cref="ClientInput.Origins"/> normalized them,
    /// separated by spaces (an origin has none); absent means none.
    /// </summary>
    public const string AllowedOrigins = "idp:allowed_origins";

    public static IReadOnlyList<string> Origins(IReadOnlyDictionary<string, string> settings) =>
        settings.TryGetValue(AllowedOrigins, out var value) ? value.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
}
