using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Authorization;

/// <summary>Configuration section <c>Oidc</c>: the protocol surface of the authorization server.</summary>
public sealed class OidcOptions
{
    public const string Section = "Oidc";

    /// <summary>
    /// The issuer identifier and the server's public URL: links, redirects and endpoint URLs are
    /// built on it whatever host a request names. Required outside Development; empty (Development
    /// only) means the URL each request reached the server at.
    /// </summary>
    public Uri? Issuer { get; set; }

    /// <summary>
    /// Refuse protocol requests over plain HTTP. Only a development machine on loopback turns it off;
    /// behind a TLS-terminating proxy keep it on and forward the scheme (<c>ForwardedHeaders</c>).
    /// </summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>
    /// JOSE algorithm of access-token signatures: <c>ES256</c> (default; a signature costs a small
    /// fraction of an RS256 one) or <c>RS256</c> for resource servers that cannot validate ECDSA. ID tokens are
    /// RS256, the algorithm every relying party accepts, unless the client registered
    /// <c>id_token_signed_response_alg</c> ES256. Both keys are always published.
    /// </summary>
    [AllowedValues("ES256", "RS256")]
    public string AccessTokenSigningAlgorithm { get; set; } = "ES256";

    /// <summary>
    /// Record client-credentials access tokens in the token table. Off by default: they are
    /// self-contained signed JWTs, issuing one then writes nothing (a write per token would bound the grant), and
    /// revocation goes to a deny list read where this server validates tokens. On: one row per token.
    /// </summary>
    public bool StoreClientCredentialsAccessTokens { get; set; }

    /// <summary>
    /// How long a node serves a registered client from memory. Changes made through this node
    /// (admin API, start-up seeding) apply at once; changes made by another node or by an operator
    /// command in another process apply within this time: one query per node per lifetime instead of
    /// one per token request. Zero turns the cache off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClientCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The <c>aud</c> of the access tokens users' relying parties get (RFC 9068 §2.2): the identifier
    /// the service's resource servers check. Admin API tokens get <c>idp-admin-api</c> instead.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    [MaxLength(200)]
    public string AccessTokenAudience { get; set; } = "dokodemo-box-api";

    /// <summary>
    /// How many unexpired pushed authorization requests (PAR, RFC 9126) one client may hold. A
    /// public client's PAR needs no secret, so without a bound anyone could fill the token table in
    /// its name; each request_uri lives 90 s, so this is also the client's PAR rate per 90 s.
    /// </summary>
    [Range(1, 100_000)]
    public int PushedRequestsPerClient { get; set; } = 500;

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(60);

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan IdentityTokenLifetime { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Short on purpose: a code is redeemed within seconds of being issued.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:10:00")]
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each use rotates the refresh token; this bounds an unused one.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);
}
