namespace IdentityProvider.Tenants;

public sealed record UserSummary(Guid Id, string Email, string TenantName, string Role, string LoginMethod, DateTimeOffset CreatedAt);
