using IdentityProvider.Data;

namespace IdentityProvider.Tenants;

/// <summary>An operator provisioning a tenant .</summary>
public sealed record TenantCreation
{
    public required string Name { get; init; }

    public TenantPlan Plan { get; init; } = TenantPlan.Basic;

    public required string HolderEmail { get; init; }

    public bool TwoFactorEnabled { get; init; } = true;

    /// <summary>
    /// Lets the holder sign in with a password straight away. Without it the holder account exists
    /// but has no password until it is registered through the invitation mail.
    /// </summary>
    public string? HolderPassword { get; init; }
}
