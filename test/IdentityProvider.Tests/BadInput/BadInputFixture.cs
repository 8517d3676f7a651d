using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// Runs cases of the bad-input table against one server per fixture (its world built once): each
/// case makes its baseline, applies its input, snapshots the database around the one request, and
/// hands everything to <see cref="ResponseChecks"/>. Cases run one at a time, so the snapshots and
/// the log lines belong to the case.
/// </summary>
public abstract class BadInputFixture(DatabaseKind kind)
{
    protected BadInputWorld World { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task BuildWorldAsync() => World = await BadInputWorld.CreateAsync(kind);

    [OneTimeTearDown]
    public async Task DisposeWorldAsync()
    {
        if (World is not null)
        {
            await World.DisposeAsync();
        }
    }

    protected async Task RunAsync(BadInputCase c)
    {
        var request = await c.RequestAsync(World);
        using var browser = World.Browser(request.Identity);
        var host = World.Host;
        var before = await DatabaseSnapshot.TakeAsync(host);
        var logged = host.Logs.Lines.Count;

        using var message = request.ToHttpRequest();
        using var response = await browser.Http.SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();

        var changes = (await DatabaseSnapshot.TakeAsync(host)).Since(before);
        ResponseChecks.Assert(c, response, body, changes, host.Logs.Lines.Skip(logged).ToList());
    }
}
