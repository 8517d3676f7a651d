namespace IdentityProvider.Clients;

/// <summary>A registered client as operators see it; never includes the secret.</summary>
public sealed record ClientSummary(
    string ClientId,
    string? DisplayName,
    string ClientType,
    IReadOnlyList<string> RedirectUris,
    IReadOnlyList<string> PostLogoutRedirectUris,
    IReadOnlyList<string> AllowedOrigins,
    IReadOnlyList<string> Scopes,
    string IdTokenSignedResponseAlg,
    string Consent = "implicit");

/// <summary>The result of a registration: the secret is shown this once and only stored hashed.</summary>
public sealed record RegisteredClient(ClientSummary Client, string? Secret);
