using IdentityProvider.Audit;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Infrastructure;

/// <summary>What the database holds about a test user: its row, its audit events; and direct edits for set-up.</summary>
public static class UserRecords
{
    public static Task<ApplicationUser> FindAsync(IdpTestHost host, string email) =>
        host.InScopeAsync(async services => await services.GetRequiredService<IdpDbContext>().Users
            .AsNoTracking().SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant()));

    public static Task<List<AuditEvent>> AuditAsync(IdpTestHost host, string subject, AuditKind? kind = null) =>
        host.InScopeAsync(async services =>
        {
            var name = kind?.ToString();
            return await services.GetRequiredService<IdpDbContext>().AuditEvents.AsNoTracking()
                .Where(a => a.Subject == subject && (name == null || a.Kind == name))
                .OrderBy(a => a.Id)
                .ToListAsync();
        });

    public static Task UpdateAsync(IdpTestHost host, string email, Action<ApplicationUser> change) =>
        host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var user = await db.Users.SingleAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
            change(user);
            return await db.SaveChangesAsync();
        });
}
