namespace IdentityProvider.Authorization;

/// <summary>What a user allowed a third-party client (one entry per client), as the portal lists it.</summary>
public sealed record ConsentGrant(string ClientId, string? DisplayName, IReadOnlyList<string> Scopes, DateTimeOffset? GrantedAt);
