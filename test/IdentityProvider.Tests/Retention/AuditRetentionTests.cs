using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Retention;
using IdentityProvider.Tests.Audit;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Retention;

/// <summary>
/// Audit events are deleted by the retention pass once older than <c>Retention:Audit</c> (400
/// days), in batches, and younger ones are kept. The database judges age by its own clock, so these
/// tests place events in the past instead of moving the host's clock a year ahead of the database.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AuditRetentionTests(DatabaseKind kind) : HostFixture(kind)
{
    [Test]
    public async Task Prune_DeletesAuditEventsOlderThanTheRetention_AndKeepsYoungerOnes()
    {
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        var old = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now - TimeSpan.FromDays(401));
        var kept = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now - TimeSpan.FromDays(399));
        var recent = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now - TimeSpan.FromDays(1));

        await PruneAsync();

        var left = await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Id == old || a.Id == kept || a.Id == recent));
        Assert.That(left.Select(a => a.Id), Is.EquivalentTo(new[] { kept, recent }), $"{old} is past the retention");
    }

    [Test]
    public async Task Prune_WalksPastManyBatches()
    {
        const int Rows = 2 * RetentionPruner.BatchSize + 10;
        var (tenantId, _) = await AuditTestData.CreateTenantAsync(Host);
        var old = Host.Clock.GetUtcNow() - TimeSpan.FromDays(500);
        await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            for (var i = 0; i < Rows; i++)
            {
                db.AuditEvents.Add(new AuditEvent { OccurredAt = old.AddSeconds(i % 3), Kind = nameof(AuditKind.SignIn), Outcome = "Success", TenantId = tenantId, Subject = Subject });
            }

            return await db.SaveChangesAsync();
        });
        var recent = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, Host.Clock.GetUtcNow(), subject: Subject);

        var result = await PruneAsync();

        var left = await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Subject == Subject));
        Assert.Multiple(() =>
        {
            Assert.That(result.AuditEvents, Is.GreaterThanOrEqualTo(Rows));
            Assert.That(left.Select(a => a.Id), Is.EqualTo(new[] { recent }));
        });
    }

    private const string Subject = "retention@example.test";

    private Task<RetentionPruneResult> PruneAsync() => Host.InScopeAsync(services => services.GetRequiredService<RetentionPruner>().PruneOnceAsync());
}
