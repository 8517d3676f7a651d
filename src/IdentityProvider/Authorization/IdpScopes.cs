namespace IdentityProvider.Authorization;

/// <summary>Scopes this server defines beyond the OpenID Connect standard ones.</summary>
public static class IdpScopes
{
    /// <summary>Operator automation: the admin REST API under <c>/admin/api</c>.</summary>
    public const string Admin = "idp.admin";

    /// <summary>The <c>aud</c> of access tokens for the admin API (<see cref="AccessTokenAudiences"/>).</summary>
    public const string AdminAudience = "idp-admin-api";
}
