using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IdentityProvider.Audit;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Audit;

/// <summary>
/// Operator actions write their audit events (SPEC §11) with the operator as the reason: the admin
/// API's client, or <c>cli:</c> and the OS user. A rejected request writes nothing.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class OperatorEventsTests(DatabaseKind kind) : AdminApiFixture(kind)
{
    private const string Password = "Kumo-Sora-2026!x";

    [Test]
    public async Task AdminApi_RegisterThenRemoveClient_WritesBothEventsNamingTheCallingClient()
    {
        var clientId = "audited-" + Guid.NewGuid().ToString("N")[..12];

        using var created = await SendAsync(HttpMethod.Post, "/admin/api/clients", new { clientId });
        using var removed = await SendAsync(HttpMethod.Delete, $"/admin/api/clients/{clientId}");

        var events = await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Subject == clientId));
        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(removed.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { nameof(AuditKind.ClientRegistered), nameof(AuditKind.ClientRemoved) }));
            Assert.That(events.Select(e => e.Reason), Is.All.EqualTo($"client:{Admin.ClientId}"));
            Assert.That(events.Select(e => e.Outcome), Is.All.EqualTo("Success"));
            Assert.That(events.Select(e => e.UserAgent), Is.All.EqualTo("ops-script/1.0"));
            Assert.That(events.Select(e => e.OccurredAt), Is.All.EqualTo(Host.Clock.GetUtcNow()).Within(TimeSpan.FromMilliseconds(1)), "the server clock, to the storage precision");
        });
    }

    [Test]
    public async Task AdminApi_CreateTenantAndUser_WritesTenantAndUserEventsInThatTenant()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var (name, holder, email) = ($"tenant-{id}", $"holder-{id}@example.test", $"user-{id}@example.test");

        using var tenant = await SendAsync(HttpMethod.Post, "/admin/api/tenants", new { name, plan = "Basic", holderEmail = holder });
        using var user = await SendAsync(HttpMethod.Post, "/admin/api/users", new { tenantName = name, email, password = Password });

        var tenantId = (await AdminApiSession.JsonAsync(tenant)).GetProperty("id").GetGuid();
        var userId = (await AdminApiSession.JsonAsync(user)).GetProperty("id").GetGuid();
        var events = await AuditTestData.EventsAsync(Host, q => q.Where(a => a.TenantId == tenantId));
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => (e.Kind, e.Subject)), Is.EqualTo(new[]
            {
                (nameof(AuditKind.TenantCreated), name),
                (nameof(AuditKind.UserCreated), holder),
                (nameof(AuditKind.UserCreated), email),
            }));
            Assert.That(events[0].UserId, Is.Null);
            Assert.That(events[1].UserId, Is.Not.Null, "the contract holder");
            Assert.That(events[2].UserId, Is.EqualTo(userId));
            Assert.That(events.Select(e => e.Reason), Is.All.EqualTo($"client:{Admin.ClientId}"));
        });
    }

    [Test]
    public async Task Cli_RegisterRemoveClientAndCreateTenantAndUser_NameTheOsUser()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var (clientId, name, email) = ($"cli-{id}", $"tenant-{id}", $"user-{id}@example.test");

        var results = new[]
        {
            await OperatorCli.RunAsync(Host, "clients", "add", "--client-id", clientId),
            await OperatorCli.RunAsync(Host, "clients", "remove", "--client-id", clientId),
            await OperatorCli.RunAsync(Host, "tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", $"holder-{id}@example.test"),
            await OperatorCli.RunAsync(Host, "users", "create", "--tenant", name, "--email", email, "--password", Password),
        };

        var events = await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Subject == clientId || a.Subject == name || a.Subject == email));
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.ExitCode), Is.All.Zero, string.Join("; ", results.Select(r => r.ToString())));
            Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[]
            {
                nameof(AuditKind.ClientRegistered), nameof(AuditKind.ClientRemoved), nameof(AuditKind.TenantCreated), nameof(AuditKind.UserCreated),
            }));
            Assert.That(events.Select(e => e.Reason), Is.All.EqualTo($"cli:{Environment.UserName}"));
            Assert.That(events.Select(e => e.IpAddress), Is.All.Null, "no HTTP request behind a command");
        });
    }

    /// <summary>
    /// Decision: a rejected operator request changes nothing, so it records nothing; the rejection
    /// is in the server log (admin API) or on the operator's terminal (CLI).
    /// </summary>
    [Test]
    public async Task RejectedRequests_WriteNoEvent()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var (clientId, name, email) = ($"dup-{id}", $"tenant-{id}", $"user-{id}@example.test");
        using var first = await SendAsync(HttpMethod.Post, "/admin/api/clients", new { clientId });
        using var tenant = await SendAsync(HttpMethod.Post, "/admin/api/tenants", new { name, plan = "Basic", holderEmail = $"holder-{id}@example.test" });
        var before = await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Subject == clientId || a.Subject == name || a.Subject == email));

        using var duplicateClient = await SendAsync(HttpMethod.Post, "/admin/api/clients", new { clientId });
        using var duplicateTenant = await SendAsync(HttpMethod.Post, "/admin/api/tenants", new { name, plan = "Basic", holderEmail = $"other-{id}@example.test" });
        using var weakPassword = await SendAsync(HttpMethod.Post, "/admin/api/users", new { tenantName = name, email, password = "password" });
        using var unknownClient = await SendAsync(HttpMethod.Delete, $"/admin/api/clients/missing-{id}");
        var cli = await OperatorCli.RunAsync(Host, "users", "create", "--tenant", name, "--email", email, "--password", "short");

        var after = await AuditTestData.EventsAsync(Host, q => q.Where(a => a.Subject == clientId || a.Subject == name || a.Subject == email || a.Subject == $"missing-{id}"));
        Assert.Multiple(() =>
        {
            Assert.That(before, Has.Count.EqualTo(2), "ClientRegistered and TenantCreated");
            Assert.That(
                new[] { duplicateClient.StatusCode, duplicateTenant.StatusCode, weakPassword.StatusCode, unknownClient.StatusCode },
                Is.EqualTo(new[] { HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.BadRequest, HttpStatusCode.NotFound }));
            Assert.That(cli.ExitCode, Is.EqualTo(2), cli.ToString());
            Assert.That(after.Select(e => e.Id), Is.EqualTo(before.Select(e => e.Id)));
        });
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.UserAgent.ParseAdd("ops-script/1.0");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: JsonSerializerOptions.Web);
        }

        return await Admin.Http.SendAsync(request);
    }
}
