namespace IdentityProvider.Tests.Infrastructure;

public sealed record TestUser(string Email, string Password, string TenantName)
{
    public const string DefaultPassword = "Kumo-Sora-2026!x";
}
