using System.Data.Common;
using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Tests.Audit;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// Identity for users only: a user's role is <see cref="ApplicationUser.Role"/>, so the database has
/// none of Identity's role tables, and migration DropIdentityRoles removes them from a database that
/// has them without touching users, the audit log or its append-only triggers.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class IdentityRoleTablesTests(DatabaseKind kind) : HostFixture(kind)
{
    private static readonly string[] RoleTables = ["AspNetRoles", "AspNetUserRoles", "AspNetRoleClaims"];

    [Test]
    public async Task MigratedDatabase_HasNoRoleTables_AndNoRoleManager()
    {
        var tables = await Host.InScopeAsync(services => TablesAsync(services.GetRequiredService<IdpDbContext>()));
        using var scope = Host.Services.CreateScope();
        var roleManager = scope.ServiceProvider.GetService<RoleManager<IdentityRole<Guid>>>();

        Assert.Multiple(() =>
        {
            Assert.That(tables, Does.Contain("AspNetUsers").And.Contain("AuditEvents"));
            Assert.That(tables.Intersect(RoleTables), Is.Empty);
            Assert.That(roleManager, Is.Null);
        });
    }

    [Test]
    public async Task DropIdentityRoles_OnADatabaseWithRoleRows_KeepsUsersAuditEventsAndTheirTriggers()
    {
        await using var own = await IdpTestHost.StartAsync(Kind);
        var user = await own.CreateUserAsync();
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(own);
        var eventId = await AuditTestData.AddAsync(own, tenantId, AuditKind.SignIn, own.Clock.GetUtcNow());

        var (tablesBefore, tablesAfter, refused) = await own.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var migrator = db.GetService<IMigrator>();
            var previous = db.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_DropIdentityRoles", StringComparison.Ordinal)).Last();
            await migrator.MigrateAsync(previous);

            // What a deployment may hold in the role tables it had: a role, given to a user.
            var userId = await db.Users.Where(u => u.Email == user.Email).Select(u => u.Id).SingleAsync();
            var roleId = Guid.NewGuid();
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO "AspNetRoles" ("Id", "Name", "NormalizedName") VALUES ({0}, 'Operators', 'OPERATORS')""", Key(roleId));
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES ({0}, {1})""", Key(userId), Key(roleId));
            await db.Database.ExecuteSqlRawAsync(
                """INSERT INTO "AspNetRoleClaims" ("RoleId", "ClaimType", "ClaimValue") VALUES ({0}, 'scope', 'files')""", Key(roleId));
            var before = await TablesAsync(db);

            await migrator.MigrateAsync();
            var after = await TablesAsync(db);
            var updateRefused = Assert.CatchAsync<DbException>(() => db.AuditEvents.Where(a => a.Id == eventId).ExecuteUpdateAsync(s => s.SetProperty(a => a.Reason, "changed")));
            return (before, after, updateRefused);
        });

        var stillThere = await UserRecords.FindAsync(own, user.Email);
        var events = await AuditTestData.EventsAsync(own, q => q.Where(a => a.Id == eventId));
        Assert.Multiple(() =>
        {
            Assert.That(tablesBefore, Is.SupersetOf(RoleTables), "the previous migration still has them");
            Assert.That(tablesAfter.Intersect(RoleTables), Is.Empty);
            Assert.That(stillThere.Email, Is.EqualTo(user.Email));
            Assert.That(events, Has.Count.EqualTo(1));
            Assert.That(events.Single().Reason, Is.Null, "the audit row is unchanged");
            Assert.That(refused?.Message, Does.Contain("append-only"));
        });
    }

    /// <summary>A key as the provider stores it: SQLite keeps Guids as upper-case text.</summary>
    private object Key(Guid id) => Kind == DatabaseKind.Sqlite ? id.ToString().ToUpperInvariant() : id;

    private Task<List<string>> TablesAsync(IdpDbContext db) => db.Database.SqlQueryRaw<string>(Kind switch
    {
        DatabaseKind.Sqlite => """SELECT "name" AS "Value" FROM sqlite_master WHERE "type" = 'table'""",
        DatabaseKind.PostgreSql => """SELECT table_name AS "Value" FROM information_schema.tables WHERE table_schema = current_schema()""",
        _ => """SELECT TABLE_NAME AS "Value" FROM INFORMATION_SCHEMA.TABLES""",
    }).ToListAsync();
}
