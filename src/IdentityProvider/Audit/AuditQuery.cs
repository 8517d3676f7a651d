using IdentityProvider.Common;
using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Audit;

/// <summary>
/// Reads the audit log for operators (SPEC §11), newest first, one page at a time. Pages are cut by
/// id (keyset: <c>Id &lt; before</c>), so a page stays correct while new events are appended, and
/// every condition, the time range included, runs in the database.
/// </summary>
public sealed class AuditQuery(IdpDbContext db, ILookupNormalizer normalizer)
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;

    /// <summary>Of a tenant name or id and of a subject (an e-mail address is at most 254).</summary>
    public const int MaxTextLength = 256;

    private static readonly string[] Outcomes = ["Success", "Failure"];

    public async Task<AuditPage> ListAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        var (kind, outcome) = Validate(filter);
        var events = db.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Tenant))
        {
            var tenantId = await FindTenantAsync(filter.Tenant.Trim(), cancellationToken);
            events = events.Where(a => a.TenantId == tenantId);
        }

        if (filter.Since is { } since)
        {
            var from = since.ToUniversalTime();
            events = events.Where(a => a.OccurredAt >= from);
        }

        if (filter.Until is { } until)
        {
            var to = until.ToUniversalTime();
            events = events.Where(a => a.OccurredAt < to);
        }

        if (kind is not null)
        {
            events = events.Where(a => a.Kind == kind);
        }

        if (outcome is not null)
        {
            events = events.Where(a => a.Outcome == outcome);
        }

        if (!string.IsNullOrWhiteSpace(filter.Subject))
        {
            events = await WhereSubjectAsync(events, filter.Subject.Trim(), cancellationToken);
        }

        if (filter.Before is { } before)
        {
            events = events.Where(a => a.Id < before);
        }

        var rows = await (from a in events
                          join t in db.Tenants.AsNoTracking() on a.TenantId equals (Guid?)t.Id into tenants
                          from t in tenants.DefaultIfEmpty()
                          orderby a.Id descending
                          select new AuditEntry(
                              a.Id, a.OccurredAt, a.Kind, a.Outcome, a.Reason, a.TenantId, t == null ? null : t.Name,
                              a.UserId, a.Subject, a.IpAddress, a.UserAgent))
            .Take(filter.Limit + 1)
            .ToListAsync(cancellationToken);

        var more = rows.Count > filter.Limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        return new AuditPage(rows, more ? rows[^1].Id : null);
    }

    private static (string? Kind, string? Outcome) Validate(AuditFilter filter)
    {
        if (filter.Limit is < 1 or > MaxLimit)
        {
            throw RequestRejectedException.Invalid("limit", $"the limit must be from 1 to {MaxLimit}.");
        }

        if (filter.Since > filter.Until)
        {
            // Worded without the other input's name, which each surface spells its own way.
            throw RequestRejectedException.Invalid("since", "must not be after the end of the period.");
        }

        if (filter.Before is < 1)
        {
            throw RequestRejectedException.Invalid("before", "must be an event id (a positive number).");
        }

        foreach (var (value, field) in new[] { (filter.Tenant, "tenant"), (filter.Subject, "subject") })
        {
            if (value?.Length > MaxTextLength)
            {
                throw RequestRejectedException.Invalid(field, $"at most {MaxTextLength} characters, not {value.Length}.");
            }

            OperatorInput.RefuseHiddenControl(value, field);
        }

        string? kind = null;
        if (!string.IsNullOrWhiteSpace(filter.Kind))
        {
            // Names only: Enum.TryParse would also take "3", and "SignIn,SignInFailed" as the kind their flags add up to.
            kind = Enum.GetNames<AuditKind>().FirstOrDefault(name => name.Equals(filter.Kind.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw RequestRejectedException.Invalid("kind", $"unknown kind {OperatorInput.Quote(filter.Kind)}. Known kinds: {string.Join(", ", Enum.GetNames<AuditKind>())}.");
        }

        string? outcome = null;
        if (!string.IsNullOrWhiteSpace(filter.Outcome))
        {
            outcome = Outcomes.FirstOrDefault(o => o.Equals(filter.Outcome.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw RequestRejectedException.Invalid("outcome", $"unknown outcome {OperatorInput.Quote(filter.Outcome)}: Success or Failure.");
        }

        return (kind, outcome);
    }

    /// <summary>By id when the value is one, else by name; an unknown tenant is an error, not an empty list.</summary>
    private async Task<Guid> FindTenantAsync(string tenant, CancellationToken cancellationToken)
    {
        var found = Guid.TryParse(tenant, out var id)
            ? await db.Tenants.AsNoTracking().Where(t => t.Id == id).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(cancellationToken)
            : await db.Tenants.AsNoTracking().Where(t => t.Name == tenant).Select(t => (Guid?)t.Id).FirstOrDefaultAsync(cancellationToken);
        return found ?? throw RequestRejectedException.NotFound($"No tenant {OperatorInput.Quote(tenant)}.");
    }

    /// <summary>
    /// The subject as recorded (case-insensitively: an address is recorded as typed at sign-in), or
    /// the user who now has that address, so that events recorded under the user's id are found too.
    /// </summary>
    private async Task<IQueryable<AuditEvent>> WhereSubjectAsync(IQueryable<AuditEvent> events, string subject, CancellationToken cancellationToken)
    {
        var upper = subject.ToUpperInvariant();
        var normalized = normalizer.NormalizeEmail(subject);
        var userId = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);
        return userId is { } id
            ? events.Where(a => a.Subject == subject || a.Subject!.ToUpper() == upper || a.UserId == id)
            : events.Where(a => a.Subject == subject || a.Subject!.ToUpper() == upper);
    }
}
