using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Admin;

/// <summary>One server per database kind for a fixture, and an admin API session (client credentials, idp.admin) on it.</summary>
public abstract class AdminApiFixture(DatabaseKind kind)
{
    protected IdpTestHost Host { get; private set; } = null!;

    protected AdminApiSession Admin { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAdminApiAsync()
    {
        Host = await IdpTestHost.StartAsync(kind);
        Admin = await AdminApiSession.StartAsync(Host);
    }

    [OneTimeTearDown]
    public async Task StopAdminApiAsync()
    {
        Admin.Dispose();
        await Host.DisposeAsync();
    }
}
