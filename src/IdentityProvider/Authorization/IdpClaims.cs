namespace IdentityProvider.Authorization;

/// <summary>Claim types this server issues beyond the registered JWT and OIDC ones (SPEC §10).</summary>
public static class IdpClaims
{
    public const string TenantId = "tenant_id";
    public const string LoginMethod = "login_method";
    public const string AccessRoute = "access_route";
}
