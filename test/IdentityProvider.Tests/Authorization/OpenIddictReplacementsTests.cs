using System.Net;
using IdentityProvider.Data;
using IdentityProvider.Persistence;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Tests.Authorization;

/// <summary>
/// The server uses OpenIddict's own token store and dispatcher; the store's lookup by id returns the
/// entry with its application and authorization, tracked, so that redeeming it writes the token's
/// row and nothing else. On SQLite a request's one write runs on <see cref="SqliteWriter"/>'s thread.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class OpenIddictReplacementsTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task TheServersTokenStore_IsOpenIddictsOwn() =>
        await Host.InScopeAsync(services =>
        {
            Assert.That(services.GetRequiredService<IOpenIddictTokenStore<OpenIddictEntityFrameworkCoreToken>>().GetType().Namespace, Is.EqualTo("OpenIddict.EntityFrameworkCore"));
            return Task.FromResult(0);
        });

    [Test]
    public async Task TheServersDispatcher_IsOpenIddictsOwn() =>
        await Host.InScopeAsync(services =>
        {
            Assert.That(services.GetRequiredService<OpenIddict.Server.IOpenIddictServerDispatcher>(), Is.InstanceOf<OpenIddict.Server.OpenIddictServerDispatcher>());
            return Task.FromResult(0);
        });

    [Test]
    public async Task OnSqlite_TheFlushOfAnAuthorizationAndOfARefresh_RunOnTheWritingThread_GroupCommitted()
    {
        var writer = Host.Services.GetService<SqliteWriter>();
        if (Kind != DatabaseKind.Sqlite)
        {
            Assert.That(writer, Is.Null, "only SQLite writes through one thread");
            return;
        }

        Assert.That(writer, Is.Not.Null);
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var client = await PublicClientAsync();
        var before = writer!.Completed;
        var syncsBefore = writer.Syncs;
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(client, RedirectUri, pkce), user);
        Assert.That(writer.Completed - before, Is.EqualTo(1), "the authorization and its code: one write");

        var (status, tokens) = await browser.TokenAsync(CodeRedemption(client, TestBrowser.Query(callback)["code"], pkce));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), tokens.ToString());
        Assert.That(writer.Completed - before, Is.EqualTo(2), "the redemption and the new entries: one write");

        (status, var refreshed) = await browser.TokenAsync(Refresh(client, tokens.GetProperty("refresh_token").GetString()!));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refreshed.ToString());
        Assert.That(writer.Completed - before, Is.EqualTo(3));
        Assert.That(writer.Syncs - syncsBefore, Is.EqualTo(3), "group-committed: each answered after its fsync of the WAL");
    }

    [Test]
    public async Task FindById_ReturnsTheEntryWithItsApplicationAndAuthorization_Tracked_AndRedeemingItWritesOnlyItsRow()
    {
        var user = await Host.CreateUserAsync();
        using var browser = Host.CreateBrowser();
        var client = await PublicClientAsync();
        await SignInAsync(browser, client, user);
        var (id, applicationStamp, authorizationStamp) = await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var entry = await db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Where(t => t.Application!.ClientId == client && t.Type == TokenTypeIdentifiers.RefreshToken)
                .Select(t => new { t.Id, Application = t.Application!.ConcurrencyToken, Authorization = t.Authorization!.ConcurrencyToken })
                .SingleAsync();
            return (entry.Id!, entry.Application, entry.Authorization);
        });

        await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var tokens = services.GetRequiredService<IOpenIddictTokenManager>();
            var store = services.GetRequiredService<IOpenIddictTokenStore<OpenIddictEntityFrameworkCoreToken>>();

            Assert.That(await store.FindByIdAsync(Guid.NewGuid().ToString(), CancellationToken.None), Is.Null);

            var token = await store.FindByIdAsync(id, CancellationToken.None);
            Assert.That(token, Is.Not.Null);
            Assert.That(token!.Status, Is.EqualTo(Statuses.Valid));
            Assert.That(token.Application?.ClientId, Is.EqualTo(client));
            Assert.That(token.Authorization?.Subject, Is.Not.Null.And.EqualTo(token.Subject));
            Assert.That(db.Entry(token).State, Is.EqualTo(EntityState.Unchanged));
            Assert.That(db.Entry(token.Application!).State, Is.EqualTo(EntityState.Unchanged));
            Assert.That(db.Entry(token.Authorization!).State, Is.EqualTo(EntityState.Unchanged));
            Assert.That(await store.FindByIdAsync(id, CancellationToken.None), Is.SameAs(token), "an entry the context holds is that instance");

            Assert.That(await tokens.TryRedeemAsync(token), Is.True);
            return 0;
        });

        await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var after = await db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Where(t => t.Id == id)
                .Select(t => new { t.Status, Application = t.Application!.ConcurrencyToken, Authorization = t.Authorization!.ConcurrencyToken })
                .SingleAsync();
            Assert.That(after.Status, Is.EqualTo(Statuses.Redeemed));
            Assert.That(after.Application, Is.EqualTo(applicationStamp), "the application's row is left alone");
            Assert.That(after.Authorization, Is.EqualTo(authorizationStamp), "the authorization's row is left alone");
            return 0;
        });
    }
}
