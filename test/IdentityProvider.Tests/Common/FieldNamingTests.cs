using System.Net;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Cli;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Common;

/// <summary>
/// A refusal of a shared service (clients, tenants, users, audit, mail) speaks the caller's
/// language: the service names the input by its field key, the admin API shows that JSON field
/// (<c>field</c> and the start of <c>detail</c>), and the CLI shows the flag the operator typed. Every
/// field a shared service refuses is here once through each surface, so a field the CLI does not
/// map to its flag (<c>Cli/FlagNames</c>) shows up as a failure, not as a JSON name at the terminal.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class FieldNamingTests(DatabaseKind kind) : AdminApiFixture(kind)
{
    private const string Tenant = "field-naming";
    private const string Password = "Kumo-Sora-2026!x";
    private const string Redirect = "https://app.example/cb";

    [OneTimeSetUp]
    public async Task CreateTenantAsync()
    {
        var created = await OperatorCli.RunAsync(Host, "tenants", "create", "--name", Tenant, "--plan", "Basic", "--holder-email", "holder@field-naming.test");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
    }

    public sealed record Refusal(string Flag, string Field, string Reason, string[] Cli, string Path, object? Body);

    private static IEnumerable<TestCaseData> Refusals()
    {
        var longName = new string('名', 201);
        var bidi = "山田\u202E郎太";

        yield return Client("--client-id", "clientId", "must be 1-100 characters", ["--client-id", "bad id"], new { clientId = "bad id" });
        yield return Client("--display-name", "displayName", "must not contain control", ["--display-name", bidi], new { displayName = bidi });
        yield return Client("--secret", "secret", "a public client has no secret",
            ["--public", "--secret", new string('s', 40), "--redirect-uri", Redirect], new { @public = true, secret = new string('s', 40), redirectUris = new[] { Redirect } });
        yield return Client("--redirect-uri", "redirectUris", "a public client needs at least one redirect URI", ["--public"], new { @public = true });
        yield return Client("--post-logout-redirect-uri", "postLogoutRedirectUris", "without a fragment",
            ["--redirect-uri", Redirect, "--post-logout-redirect-uri", "https://app.example/out#x"], new { redirectUris = new[] { Redirect }, postLogoutRedirectUris = new[] { "https://app.example/out#x" } });
        yield return Client("--allowed-origin", "allowedOrigins", "is not an origin",
            ["--redirect-uri", Redirect, "--allowed-origin", "https://spa.example/app"], new { redirectUris = new[] { Redirect }, allowedOrigins = new[] { "https://spa.example/app" } });
        yield return Client("--scope", "scopes", "unknown scope 'files.write'", ["--scope", "files.write"], new { scopes = new[] { "files.write" } });
        yield return Client("--id-token-signed-response-alg", "idTokenSignedResponseAlg", "must be one of",
            ["--id-token-signed-response-alg", "HS256"], new { idTokenSignedResponseAlg = "HS256" });
        yield return Client("--consent", "consent", "must be 'implicit' or 'explicit'", ["--consent", "sometimes"], new { consent = "sometimes" });

        yield return TenantCase("--name", "name", "is not a tenant name", name: "Acme", email: null, password: null);
        yield return TenantCase("--holder-email", "holderEmail", "is not a valid e-mail address", name: null, email: "h@", password: null);
        yield return TenantCase("--holder-password", "holderPassword", "at least 8 characters", name: null, email: null, password: "Kq7#mZp");

        yield return User("--tenant", "tenantName", "the tenant name is required", tenant: " ");
        yield return User("--email", "email", "is not a valid e-mail address", email: "u@");
        yield return User("--password", "password", "at least 8 characters", password: "Kq7#mZp");
        yield return User("--display-name", "displayName", "at most 200 characters", displayName: longName);

        yield return Query("--since", "since", "must not be after the end of the period",
            ["audit", "list", "--since", "2026-11-02", "--until", "2026-11-01"], "/admin/api/audit?since=2026-11-02&until=2026-11-01");
        yield return Query("--before", "before", "must be an event id", ["audit", "list", "--before", "0"], "/admin/api/audit?before=0");
        yield return Query("--limit", "limit", "the limit must be from 1 to", ["audit", "list", "--limit", "5000"], "/admin/api/audit?limit=5000");
        yield return Query("--subject", "subject", "at most 256 characters", ["audit", "list", "--subject", new string('s', 300)], $"/admin/api/audit?subject={new string('s', 300)}");
        yield return Query("--tenant", "tenant", "must not contain control", ["audit", "list", "--tenant", "a\u202Eb"], "/admin/api/audit?tenant=a%E2%80%AEb");
        yield return Query("--limit", "limit", "must be between 1 and", ["mail", "list", "--limit", "0"], "/admin/api/mail?limit=0");
    }

    [TestCaseSource(nameof(Refusals))]
    public async Task AtTheTerminal_TheRefusalNamesTheFlag(Refusal refusal)
    {
        var result = await OperatorCli.RunAsync(Host, refusal.Cli);

        var prefix = $"error: {refusal.Flag}: ";
        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        // An input the command does not map to its flag would start with the JSON field instead.
        Assert.That(result.Error, Does.StartWith(prefix));
        Assert.That(result.Error[prefix.Length..], Does.Contain(refusal.Reason));
    }

    [TestCaseSource(nameof(Refusals))]
    public async Task ThroughTheAdminApi_TheRefusalNamesTheJsonField(Refusal refusal)
    {
        var expect = await AdminInputRefusal.ExpectAsync(Host);

        using var response = refusal.Body is null ? await Admin.Http.GetAsync(refusal.Path) : await Admin.PostAsync(refusal.Path, refusal.Body);

        await expect.AssertAsync(response, HttpStatusCode.BadRequest, refusal.Field, refusal.Reason);
    }

    /// <summary><c>clients add</c> and <c>POST /admin/api/clients</c>, each with its own client_id unless the case is about it.</summary>
    private static TestCaseData Client(string flag, string field, string reason, string[] args, object body)
    {
        var clientId = "fields-" + Guid.NewGuid().ToString("N")[..8];
        string[] cli = args.Contains("--client-id") ? ["clients", "add", .. args] : ["clients", "add", "--client-id", clientId, .. args];
        var json = System.Text.Json.JsonSerializer.SerializeToNode(body, System.Text.Json.JsonSerializerOptions.Web)!.AsObject();
        json.TryAdd("clientId", clientId);
        return Case(new Refusal(flag, field, reason, cli, "/admin/api/clients", json));
    }

    private static TestCaseData TenantCase(string flag, string field, string reason, string? name, string? email, string? password)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        name ??= "fields-" + id;
        email ??= $"holder-{id}@field-naming.test";
        string[] cli = ["tenants", "create", "--name", name, "--plan", "Basic", "--holder-email", email, .. password is null ? Array.Empty<string>() : ["--holder-password", password]];
        return Case(new Refusal(flag, field, reason, cli, "/admin/api/tenants", new { name, plan = "Basic", holderEmail = email, holderPassword = password }));
    }

    private static TestCaseData User(string flag, string field, string reason, string tenant = Tenant, string? email = null, string password = Password, string? displayName = null)
    {
        email ??= $"u-{Guid.NewGuid().ToString("N")[..8]}@field-naming.test";
        string[] cli = ["users", "create", "--tenant", tenant, "--email", email, "--password", password, .. displayName is null ? Array.Empty<string>() : ["--display-name", displayName]];
        return Case(new Refusal(flag, field, reason, cli, "/admin/api/users", new { tenantName = tenant, email, password, displayName }));
    }

    private static TestCaseData Query(string flag, string field, string reason, string[] cli, string path) =>
        Case(new Refusal(flag, field, reason, cli, path, Body: null));

    private static TestCaseData Case(Refusal refusal) =>
        new TestCaseData(refusal).SetArgDisplayNames($"{refusal.Cli[0]} {refusal.Cli[1]} {refusal.Flag}");
}
