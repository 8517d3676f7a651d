using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace IdentityProvider.Admin;

/// <summary>
/// The query of <c>GET /admin/api/audit</c>. Taken as text and parsed in <see cref="AuditApi"/>, so
/// that a malformed value gets problem details that say which value and what is expected.
/// </summary>
public sealed record AuditRequest(
    [FromQuery(Name = "tenant")] [property: Description("Tenant name or id")] string? Tenant,
    [FromQuery(Name = "since")] [property: Description("Events at or after this time: ISO 8601 (no offset = UTC) or a span back from now (90m, 24h, 7d)")] string? Since,
    [FromQuery(Name = "until")] [property: Description("Events before this time, same forms as since")] string? Until,
    [FromQuery(Name = "kind")] [property: Description("Event kind, e.g. SignIn, ClientRegistered")] string? Kind,
    [FromQuery(Name = "subject")] [property: Description("Who the event is about: e-mail address, client_id or tenant name")] string? Subject,
    [FromQuery(Name = "outcome")] [property: Description("Success or Failure")] string? Outcome,
    [FromQuery(Name = "limit")] [property: Description("At most this many events, 1-1000 (default 100)")] string? Limit,
    [FromQuery(Name = "before")] [property: Description("Only events older than this id: the nextBefore of the previous page")] string? Before);
