using System.Net;
using System.Text.Json;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IdentityProvider.Tests.Admin;

/// <summary>
/// What every refused admin API request must show: the status, RFC 9457 problem details whose
/// detail names the JSON field (never a command-line flag, never a stack trace), nothing written
/// (row counts of what the admin API writes), and exactly one warning line in the log.
/// </summary>
public sealed class AdminInputRefusal
{
    private readonly IdpTestHost host;
    private readonly string rowsBefore;
    private readonly int logLinesBefore;

    private AdminInputRefusal(IdpTestHost host, string rowsBefore, int logLinesBefore)
    {
        this.host = host;
        this.rowsBefore = rowsBefore;
        this.logLinesBefore = logLinesBefore;
    }

    /// <summary>Call before sending the request.</summary>
    public static async Task<AdminInputRefusal> ExpectAsync(IdpTestHost host) =>
        new(host, await CountRowsAsync(host), host.Logs.Lines.Count);

    public async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string? field, string detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        var rowsAfter = await CountRowsAsync(host);
        var newLines = host.Logs.Lines.Skip(logLinesBefore).ToList();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"{(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        var shownDetail = json.TryGetProperty("detail", out var given) ? given.GetString() : null;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), body);
            Assert.That(json.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
            Assert.That(shownDetail, Does.Contain(detail), body);
            Assert.That(shownDetail, Does.Not.Contain("--"), "an API error never names a command-line flag");
            Assert.That(body, Does.Not.Contain(" at IdentityProvider.").And.Not.Contain("Exception"), "no stack trace or exception type");
            Assert.That(json.TryGetProperty("field", out var shownField) ? shownField.GetString() : null, Is.EqualTo(field), body);
            if (field is not null)
            {
                Assert.That(shownDetail, Does.StartWith(field + ": "), "the detail names the field first");
            }

            Assert.That(rowsAfter, Is.EqualTo(rowsBefore), "nothing written");
            Assert.That(newLines.Select(l => (l.Level, l.Category, HasException: l.Exception is not null)),
                Is.EqualTo(new[] { (LogLevel.Warning, "IdentityProvider.Admin.RejectionProblemFilter", false) }),
                string.Join(Environment.NewLine, newLines.Select(l => l.Message)));
        }
    }

    /// <summary>Row counts of every table an admin API request writes to.</summary>
    private static Task<string> CountRowsAsync(IdpTestHost host) => host.InScopeAsync(async services =>
    {
        var db = services.GetRequiredService<IdpDbContext>();
        return string.Join(' ',
            $"tenants={await db.Tenants.CountAsync()}",
            $"users={await db.Users.CountAsync()}",
            $"applications={await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>().CountAsync()}",
            $"audit={await db.AuditEvents.CountAsync()}");
    });
}
