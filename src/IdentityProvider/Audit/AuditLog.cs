using IdentityProvider.Data;

namespace IdentityProvider.Audit;

/// <summary>
/// Appends security events with time, tenant, user, IP and user agent. <see cref="Add"/> joins the
/// caller's unit of work (the event commits with the change it records); <see cref="WriteAsync"/>
/// commits at once, for events with no other change to ride on (a failed sign-in).
/// </summary>
public sealed class AuditLog(IdpDbContext db, IHttpContextAccessor http, TimeProvider time)
{
    public AuditEvent Add(AuditKind kind, bool success, string? reason = null, ApplicationUser? user = null, Guid? tenantId = null, string? subject = null)
    {
        var context = http.HttpContext;
        var entry = new AuditEvent
        {
            OccurredAt = time.GetUtcNow(),
            Kind = kind.ToString(),
            Outcome = success ? "Success" : "Failure",
            Reason = Truncate(reason, 200),
            TenantId = user?.TenantId ?? tenantId,
            UserId = user?.Id,
            Subject = Truncate(subject ?? user?.Email, 256),
            IpAddress = context?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = Truncate(context?.Request.Headers.UserAgent.ToString(), 512),
        };
        db.AuditEvents.Add(entry);
        return entry;
    }

    public async Task WriteAsync(AuditKind kind, bool success, string? reason = null, ApplicationUser? user = null, Guid? tenantId = null, string? subject = null, CancellationToken cancellationToken = default)
    {
        Add(kind, success, reason, user, tenantId, subject);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string? Truncate(string? value, int length) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= length ? value : value[..length];
}
