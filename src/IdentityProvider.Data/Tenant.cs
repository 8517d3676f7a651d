namespace IdentityProvider.Data;

/// <summary>A contract (契約): the unit that owns users and their settings (SPEC §1).</summary>
public sealed class Tenant
{
    public Guid Id { get; set; }

    /// <summary>Operator-facing unique name; the CLI and admin API address tenants by it.</summary>
    public required string Name { get; set; }

    public TenantPlan Plan { get; set; }

    /// <summary>R-4.1: applies to every user of the tenant.</summary>
    public AccessRoute AccessRoute { get; set; } = AccessRoute.LineAndInternet;

    /// <summary>R-5.1: the contract holder's switch for two-step verification of Password users.</summary>
    public bool TwoFactorEnabled { get; set; } = true;

    /// <summary>The one contract holder (契約者) of the tenant, once created.</summary>
    public Guid? ContractHolderId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>R-6.4: free trials end 30 days after start; null for Basic.</summary>
    public DateTimeOffset? TrialEndsAt { get; set; }
}
