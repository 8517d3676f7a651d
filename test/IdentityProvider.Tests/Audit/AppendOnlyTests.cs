using System.Data.Common;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Audit;

/// <summary>
/// The audit log is append-only (SPEC §11): the database refuses UPDATE of audit rows, and DELETE
/// of any row younger than <see cref="IdpDbContext.AuditDeletionFloorDays"/> by its own clock
/// (migrations AuditAppendOnly, AuditRetentionFloor) — only the retention pass deletes, and only
/// old rows — and the context refuses to save a tracked change before that.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AppendOnlyTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task Update_InTheDatabase_IsRefusedAndTheRowKept()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var id = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow(), success: false);

        var refused = await RefusedAsync(db => db.AuditEvents.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Outcome, "Success")));

        var row = (await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Id == id))).Single();
        Assert.Multiple(() =>
        {
            Assert.That(refused.Message, Does.Contain("append-only"));
            Assert.That(row.Outcome, Is.EqualTo("Failure"));
        });
    }

    [Test]
    public async Task Delete_InTheDatabase_IsRefusedAndTheRowKept()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var id = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow());

        var refused = await RefusedAsync(db => db.AuditEvents.Where(a => a.Id == id).ExecuteDeleteAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Message, Does.Contain("append-only"));
            Assert.That(await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Id == id)), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Delete_OfARowJustYoungerThanTheFloor_IsRefused()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var id = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow() - TimeSpan.FromDays(IdpDbContext.AuditDeletionFloorDays - 1));

        var refused = await RefusedAsync(db => db.Database.ExecuteSqlAsync($"""DELETE FROM "AuditEvents" WHERE "Id" = {id}"""));

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Message, Does.Contain("append-only"));
            Assert.That(await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Id == id)), Has.Count.EqualTo(1));
        });
    }

    /// <summary>Past the floor a plain DELETE goes through: the retention pass needs nothing more.</summary>
    [Test]
    public async Task Delete_OfARowOlderThanTheFloor_IsAllowed()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var id = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow() - TimeSpan.FromDays(IdpDbContext.AuditDeletionFloorDays + 1));

        var deleted = await Host.InScopeAsync(services =>
            services.GetRequiredService<IdpDbContext>().Database.ExecuteSqlAsync($"""DELETE FROM "AuditEvents" WHERE "Id" = {id}"""));

        Assert.Multiple(async () =>
        {
            Assert.That(deleted, Is.EqualTo(1));
            Assert.That(await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Id == id)), Is.Empty);
        });
    }

    /// <summary>A delete that names old and young rows deletes none of them.</summary>
    [Test]
    public async Task Delete_OfOldAndYoungRowsTogether_IsRefusedWhole()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var old = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow() - TimeSpan.FromDays(500));
        var young = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow());

        var refused = await RefusedAsync(db => db.AuditEvents.Where(a => a.TenantId == tenantId).ExecuteDeleteAsync());

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Message, Does.Contain("append-only"));
            Assert.That((await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Id == old || a.Id == young))).Select(a => a.Id), Is.EquivalentTo(new[] { old, young }));
        });
    }

    [Test]
    public async Task Update_OfAnOldRow_IsRefused()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var id = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow() - TimeSpan.FromDays(500), success: false);

        var refused = await RefusedAsync(db => db.AuditEvents.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Outcome, "Success")));

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Message, Does.Contain("append-only"));
            Assert.That((await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Id == id))).Single().Outcome, Is.EqualTo("Failure"));
        });
    }

    /// <summary>Clearing the table the fast way: TRUNCATE on PostgreSQL, an unfiltered DELETE on SQLite.</summary>
    [Test]
    public async Task ClearingTheTable_IsRefused()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow());
        var before = await AuditTestData.EventsAsync(Host, q => q);
        var sql = Kind == DatabaseKind.PostgreSql ? """TRUNCATE "AuditEvents";""" : """DELETE FROM "AuditEvents";""";

        var refused = await RefusedAsync(db => db.Database.ExecuteSqlRawAsync(sql));

        Assert.Multiple(async () =>
        {
            Assert.That(refused.Message, Does.Contain("append-only"));
            Assert.That((await AuditTestData.EventsAsync(Host, q => q)).Select(a => a.Id), Is.SupersetOf(before.Select(a => a.Id)));
        });
    }

    [Test]
    public async Task TrackedChange_IsRefusedBeforeReachingTheDatabase()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var id = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow());

        var (changed, removed) = await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var row = await db.AuditEvents.SingleAsync(a => a.Id == id);
            row.Reason = "rewritten";
            var changed = Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
            db.AuditEvents.Remove(await db.AuditEvents.SingleAsync(a => a.Id == id));
            var removed = Assert.Throws<InvalidOperationException>(() => db.SaveChanges());
            return (changed, removed);
        });

        Assert.Multiple(() =>
        {
            Assert.That(changed?.Message, Does.Contain("append-only"));
            Assert.That(removed?.Message, Does.Contain("append-only"));
        });
    }

    /// <summary>Down drops the triggers (and only then may rows change); Up creates them again.</summary>
    [Test]
    public async Task Migration_DownThenUp_DropsAndRestoresTheTriggers()
    {
        await using var own = await IdpTestHost.StartAsync(Kind);
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(own);
        var id = await AuditTestData.AddAsync(own, tenantId, AuditKind.SignIn, own.Clock.GetUtcNow());

        var (updatedAfterDown, refusedAfterUp) = await own.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var migrator = db.GetService<IMigrator>();
            var previous = db.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_AuditAppendOnly", StringComparison.Ordinal)).Last();
            await migrator.MigrateAsync(previous);
            var updated = await db.AuditEvents.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Reason, "after down"));
            await migrator.MigrateAsync();
            var refused = Assert.CatchAsync<DbException>(() => db.AuditEvents.Where(a => a.Id == id).ExecuteDeleteAsync());
            return (updated, refused);
        });

        Assert.Multiple(() =>
        {
            Assert.That(updatedAfterDown, Is.EqualTo(1));
            Assert.That(refusedAfterUp?.Message, Does.Contain("append-only"));
        });
    }

    private Task<DbException> RefusedAsync(Func<IdpDbContext, Task> change) => Host.InScopeAsync(services =>
    {
        var db = services.GetRequiredService<IdpDbContext>();
        return Task.FromResult(Assert.CatchAsync<DbException>(() => change(db))!);
    });
}
