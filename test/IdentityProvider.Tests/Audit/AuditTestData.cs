using IdentityProvider.Audit;
using IdentityProvider.Data;
using IdentityProvider.Tenants;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Audit;

/// <summary>
/// Audit rows for the read side: a fresh tenant per test, and events appended at chosen times, so
/// that a test never moves the clock other tests (and their access tokens) run on.
/// </summary>
public static class AuditTestData
{
    public static async Task<(Guid Id, string Name)> CreateTenantAsync(IdpTestHost host)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var tenant = await host.InScopeAsync(services => services.GetRequiredService<TenantDirectory>().CreateTenantAsync(
            new TenantCreation { Name = $"audit-{id}", Plan = TenantPlan.Basic, HolderEmail = $"holder-{id}@example.test" }));
        return (tenant.Id, tenant.Name);
    }

    /// <summary>Appends an event at <paramref name="at"/> and returns its id.</summary>
    public static Task<long> AddAsync(IdpTestHost host, Guid tenantId, AuditKind kind, DateTimeOffset at, string? subject = null, bool success = true) =>
        host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var entry = new AuditEvent
            {
                OccurredAt = at,
                Kind = kind.ToString(),
                Outcome = success ? "Success" : "Failure",
                Reason = success ? null : "WrongPassword",
                TenantId = tenantId,
                Subject = subject,
                IpAddress = "192.0.2.7",
                UserAgent = "test\tagent",
            };
            db.AuditEvents.Add(entry);
            await db.SaveChangesAsync();
            return entry.Id;
        });

    public static Task<List<AuditEvent>> EventsAsync(IdpTestHost host, Func<IQueryable<AuditEvent>, IQueryable<AuditEvent>> query) =>
        host.InScopeAsync(services => query(services.GetRequiredService<IdpDbContext>().AuditEvents.AsNoTracking()).OrderBy(a => a.Id).ToListAsync());
}
