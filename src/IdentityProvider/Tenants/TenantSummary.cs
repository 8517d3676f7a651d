namespace IdentityProvider.Tenants;

public sealed record TenantSummary(
    Guid Id,
    string Name,
    string Plan,
    string AccessRoute,
    bool TwoFactorEnabled,
    string? HolderEmail,
    DateTimeOffset CreatedAt,
    DateTimeOffset? TrialEndsAt);
