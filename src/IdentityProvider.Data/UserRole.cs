namespace IdentityProvider.Data;

/// <summary>
/// A user's role inside their tenant. The contract holder (契約者) is also the tenant's
/// <see cref="Tenant.ContractHolderId"/>; the role says so too, so that tokens can carry it.
/// </summary>
public enum UserRole
{
    User = 0,
    Admin = 1,
    ContractHolder = 2,
}
