namespace IdentityProvider.Audit;

/// <summary>Which audit events an operator asks for; every condition is optional.</summary>
public sealed record AuditFilter
{
    /// <summary>A tenant's name or id.</summary>
    public string? Tenant { get; init; }

    /// <summary>Events at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Events before this instant (exclusive, so that consecutive windows do not overlap).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>An <see cref="AuditKind"/> name.</summary>
    public string? Kind { get; init; }

    /// <summary>Who the event is about: a user's e-mail address (also matches events recorded under the user's id), a client_id or a tenant name.</summary>
    public string? Subject { get; init; }

    /// <summary>Success or Failure.</summary>
    public string? Outcome { get; init; }

    public int Limit { get; init; } = AuditQuery.DefaultLimit;

    /// <summary>The keyset cursor: only events with a smaller id (the previous page's <see cref="AuditPage.NextBefore"/>).</summary>
    public long? Before { get; init; }
}
