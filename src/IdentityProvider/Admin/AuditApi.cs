using IdentityProvider.Audit;
using IdentityProvider.Common;

namespace IdentityProvider.Admin;

/// <summary><c>GET /admin/api/audit</c>: the audit log for operators (SPEC §11), newest first, by pages.</summary>
public static class AuditApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/audit", async ([AsParameters] AuditRequest request, AuditQuery audit, TimeProvider time, CancellationToken ct) =>
            TypedResults.Ok(await audit.ListAsync(ToFilter(request, time.GetUtcNow()), ct)))
            .WithSummary("List security events, newest first; pass nextBefore as before for the next page")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static AuditFilter ToFilter(AuditRequest request, DateTimeOffset now) => new()
    {
        Tenant = request.Tenant,
        Since = Instant(request.Since, "since", now),
        Until = Instant(request.Until, "until", now),
        Kind = request.Kind,
        Subject = request.Subject,
        Outcome = request.Outcome,
        Limit = AdminQuery.Number<int>(request.Limit, "limit") ?? AuditQuery.DefaultLimit,
        Before = AdminQuery.Number<long>(request.Before, "before"),
    };

    private static DateTimeOffset? Instant(string? text, string name, DateTimeOffset now) =>
        string.IsNullOrEmpty(text) ? null
        : AuditTime.TryParse(text, now, out var value) ? value
        : throw RequestRejectedException.Invalid(name, $"{OperatorInput.Quote(text)} is not a time: use {AuditTime.Formats}.");
}
