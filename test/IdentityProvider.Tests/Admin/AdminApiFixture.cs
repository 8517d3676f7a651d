using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Admin;

/// <summary>A <see cref="HostFixture"/> with an admin API session (client credentials, idp.admin) on its server.</summary>
public abstract class AdminApiFixture(DatabaseKind kind) : HostFixture(kind)
{
    protected AdminApiSession Admin { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAdminApiAsync() => Admin = await AdminApiSession.StartAsync(Host);

    [OneTimeTearDown]
    public void StopAdminApi() => Admin?.Dispose();
}
