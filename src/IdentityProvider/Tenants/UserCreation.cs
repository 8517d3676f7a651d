using IdentityProvider.Data;

namespace IdentityProvider.Tenants;

/// <summary>An operator creating a password user in a tenant.</summary>
public sealed record UserCreation
{
    public required string TenantName { get; init; }

    public required string Email { get; init; }

    public required string Password { get; init; }

    /// <summary>User or Admin; the contract holder is made with the tenant.</summary>
    public UserRole Role { get; init; } = UserRole.User;

    public string? DisplayName { get; init; }
}
