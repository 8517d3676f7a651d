using System.Net;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Tests.Clients;

/// <summary>
/// Applications are cached across requests: changes made through this node show at once, changes
/// made elsewhere (another node, a CLI process, SQL) within the cache lifetime.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class ApplicationCacheTests(DatabaseKind kind)
{
    private IdpTestHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => host = await IdpTestHost.StartAsync(kind, new Dictionary<string, string?> { ["Oidc:ClientCacheLifetime"] = "00:00:30" });

    [OneTimeTearDown]
    public async Task StopAsync() => await host.DisposeAsync();

    [Test]
    public async Task Lookup_IsServedFromCache_UntilTheLifetimeEnds()
    {
        var (clientId, _) = await RegisterAsync();
        Assert.That(await DisplayNameAsync(clientId), Is.EqualTo(clientId));
        await SetDisplayNameInDatabaseAsync(clientId, "changed elsewhere");

        var cached = await DisplayNameAsync(clientId);
        host.Clock.Advance(TimeSpan.FromSeconds(31));
        var reloaded = await DisplayNameAsync(clientId);

        Assert.Multiple(() =>
        {
            Assert.That(cached, Is.EqualTo(clientId), "served from the cache, no query");
            Assert.That(reloaded, Is.EqualTo("changed elsewhere"));
        });
    }

    [Test]
    public async Task RemovedThroughThisNode_IsRefusedAtOnce()
    {
        var (clientId, secret) = await RegisterAsync();
        using var browser = host.CreateBrowser();
        var (before, _) = await TokenAsync(browser, clientId, secret);

        await host.InScopeAsync(async services =>
        {
            await services.GetRequiredService<ClientRegistry>().RemoveAsync(clientId);
            return true;
        });
        var (after, json) = await TokenAsync(browser, clientId, secret);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after, Is.Not.EqualTo(HttpStatusCode.OK), json.ToString());
        });
    }

    [Test]
    public async Task CachedEntry_IsNotTrackedByAnyContext_AndCanStillBeRemoved()
    {
        var (clientId, _) = await RegisterAsync();
        await DisplayNameAsync(clientId); // cached now

        var removed = await host.InScopeAsync(async services =>
        {
            var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
            var db = services.GetRequiredService<IdpDbContext>();
            var application = await applications.FindByClientIdAsync(clientId);
            var tracked = db.ChangeTracker.Entries<OpenIddictEntityFrameworkCoreApplication>().Any();
            await applications.DeleteAsync(application!);
            return !tracked;
        });

        Assert.Multiple(async () =>
        {
            Assert.That(removed, Is.True, "the cached snapshot is detached");
            Assert.That(await DisplayNameAsync(clientId), Is.Null);
        });
    }

    private async Task<(string ClientId, string Secret)> RegisterAsync()
    {
        var clientId = "cache-" + Guid.NewGuid().ToString("N")[..12];
        var registered = await host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Scopes = ["idp.admin"] });
        return (clientId, registered.Secret!);
    }

    private Task<string?> DisplayNameAsync(string clientId) => host.InScopeAsync(async services =>
    {
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(clientId);
        return application is null ? null : await applications.GetDisplayNameAsync(application);
    });

    private Task<int> SetDisplayNameInDatabaseAsync(string clientId, string name) => host.InScopeAsync(services =>
        services.GetRequiredService<IdpDbContext>().Set<OpenIddictEntityFrameworkCoreApplication>()
            .Where(a => a.ClientId == clientId).ExecuteUpdateAsync(s => s.SetProperty(a => a.DisplayName, name)));

    private static Task<(HttpStatusCode Status, System.Text.Json.JsonElement Json)> TokenAsync(TestBrowser browser, string clientId, string secret) =>
        browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
        });
}
