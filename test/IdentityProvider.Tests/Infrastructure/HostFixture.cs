namespace IdentityProvider.Tests.Infrastructure;

/// <summary>One server (<see cref="IdpTestHost"/>) per database kind for a whole fixture.</summary>
public abstract class HostFixture(DatabaseKind kind)
{
    protected DatabaseKind Kind { get; } = kind;

    protected IdpTestHost Host { get; private set; } = null!;

    /// <summary>Configuration the fixture's server starts with, besides the test defaults.</summary>
    protected virtual IDictionary<string, string?>? Settings => null;

    [OneTimeSetUp]
    public async Task StartHostAsync() => Host = await IdpTestHost.StartAsync(Kind, Settings);

    [OneTimeTearDown]
    public async Task StopHostAsync()
    {
        // Null when the set-up was skipped (a database that cannot run here).
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}
