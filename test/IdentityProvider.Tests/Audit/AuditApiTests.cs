using System.Globalization;
using System.Net;
using System.Text.Json;
using IdentityProvider.Audit;
using IdentityProvider.Tests.Admin;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Audit;

/// <summary><c>GET /admin/api/audit</c>: filters that run in the database, newest first, keyset pages, problem details for bad values.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AuditApiTests(DatabaseKind kind) : AdminApiFixture(kind)
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?> { ["AdminApi:OpenApi"] = "true" };

    [Test]
    public async Task Get_ByTenantNameOrIdAndSince_ReturnsThatTenantsRecentEventsNewestFirst()
    {
        var (tenantId, name) = await AuditTestData.CreateTenantAsync(Host);
        var (otherId, _) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddDays(-3));
        var older = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddHours(-2), success: false);
        var newer = await AuditTestData.AddAsync(Host, tenantId, AuditKind.AccountLocked, now.AddHours(-1));
        await AuditTestData.AddAsync(Host, otherId, AuditKind.SignIn, now.AddHours(-1));
        var since = Iso(now.AddDays(-1));

        var byName = await GetAsync($"/admin/api/audit?tenant={name}&since={since}&kind=SignIn");
        var byId = await GetAsync($"/admin/api/audit?tenant={tenantId}&since={since}&until={Iso(now.AddMinutes(-1))}");

        Assert.Multiple(() =>
        {
            Assert.That(Ids(byName), Is.EqualTo(new[] { older }), "SignIn of that tenant since a day ago");
            Assert.That(Ids(byId), Is.EqualTo(new[] { newer, older }), "newest first");
            var first = byId.GetProperty("events")[0];
            Assert.That(first.GetProperty("kind").GetString(), Is.EqualTo("AccountLocked"));
            Assert.That(first.GetProperty("tenantName").GetString(), Is.EqualTo(name));
            Assert.That(first.GetProperty("tenantId").GetGuid(), Is.EqualTo(tenantId));
            Assert.That(first.GetProperty("ipAddress").GetString(), Is.EqualTo("192.0.2.7"));
            Assert.That(first.GetProperty("occurredAt").GetDateTimeOffset(), Is.EqualTo(now.AddHours(-1)).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(byId.GetProperty("nextBefore").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task Get_SinceWithOffsetOrRelative_ComparesInstants()
    {
        var (tenantId, name) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddHours(-30));
        var recent = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddHours(-20));
        // The same instant as now - 24 h, written in Japan time.
        var tokyo = now.AddHours(-24).ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

        var withOffset = await GetAsync($"/admin/api/audit?tenant={name}&kind=SignIn&since={Uri.EscapeDataString(tokyo)}");
        var relative = await GetAsync($"/admin/api/audit?tenant={name}&kind=SignIn&since=24h");
        var relativeUntil = await GetAsync($"/admin/api/audit?tenant={name}&kind=SignIn&since=2d&until=1d");

        Assert.Multiple(() =>
        {
            Assert.That(Ids(withOffset), Is.EqualTo(new[] { recent }));
            Assert.That(Ids(relative), Is.EqualTo(new[] { recent }));
            Assert.That(Ids(relativeUntil), Has.Length.EqualTo(1).And.Not.Contains(recent));
        });
    }

    [Test]
    public async Task Get_WithLimitAndBefore_PagesThroughEveryEventOnce()
    {
        var (tenantId, name) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddMinutes(-10 + i)));
        }

        var pages = new List<long[]>();
        string? before = null;
        do
        {
            var page = await GetAsync($"/admin/api/audit?tenant={name}&kind=SignIn&limit=2" + (before is null ? string.Empty : $"&before={before}"));
            pages.Add(Ids(page));
            var next = page.GetProperty("nextBefore");
            before = next.ValueKind == JsonValueKind.Null ? null : next.GetInt64().ToString(CultureInfo.InvariantCulture);
        }
        while (before is not null && pages.Count < 10);

        ids.Reverse();
        Assert.Multiple(() =>
        {
            Assert.That(pages.Select(p => p.Length), Is.EqualTo(new[] { 2, 2, 1 }));
            Assert.That(pages.SelectMany(p => p), Is.EqualTo(ids));
        });
    }

    [Test]
    public async Task Get_BySubjectAndOutcome_MatchesTheAddressCaseInsensitively()
    {
        var (tenantId, name) = await AuditTestData.CreateTenantAsync(Host);
        var now = Host.Clock.GetUtcNow();
        var failed = await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddMinutes(-2), subject: "Taro@Example.test", success: false);
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddMinutes(-1), subject: "taro@example.test");
        await AuditTestData.AddAsync(Host, tenantId, AuditKind.SignIn, now.AddMinutes(-1), subject: "hanako@example.test", success: false);

        var response = await GetAsync($"/admin/api/audit?tenant={name}&subject=taro@example.test&outcome=Failure");

        Assert.That(Ids(response), Is.EqualTo(new[] { failed }));
    }

    [Test]
    public async Task Get_UnknownTenant_Returns404Problem()
    {
        using var response = await Admin.Http.GetAsync($"/admin/api/audit?tenant=missing-{Guid.NewGuid():N}");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "No tenant");
    }

    [TestCase("since=yesterday", "since")]
    [TestCase("since=11/01/2026", "since")]
    [TestCase("until=2026-13-01T00:00:00Z", "until")]
    [TestCase("since=2026-11-02&until=2026-11-01", "since")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=1001", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("before=-5", "before")]
    [TestCase("kind=Nonsense", "kind")]
    [TestCase("outcome=Maybe", "outcome")]
    public async Task Get_BadValue_Returns400ProblemNamingIt(string query, string named)
    {
        using var response = await Admin.Http.GetAsync($"/admin/api/audit?{query}");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, named);
    }

    [Test]
    public async Task Get_WithoutToken_Returns401()
    {
        using var anonymous = Host.CreateBrowser();

        using var response = await anonymous.Http.GetAsync("/admin/api/audit");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task OpenApiDocument_DescribesTheQueryParameters()
    {
        using var anonymous = Host.CreateBrowser();

        var document = JsonDocument.Parse(await anonymous.Http.GetStringAsync("/openapi/v1.json")).RootElement;

        var parameters = document.GetProperty("paths").GetProperty("/admin/api/audit").GetProperty("get").GetProperty("parameters").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(parameters.Select(p => p.GetProperty("name").GetString()), Is.EquivalentTo(new[] { "tenant", "since", "until", "kind", "subject", "outcome", "limit", "before" }));
            Assert.That(parameters.Select(p => p.GetProperty("in").GetString()), Is.All.EqualTo("query"));
            Assert.That(parameters.Select(p => p.TryGetProperty("description", out _)), Is.All.True);
        });
    }

    private async Task<JsonElement> GetAsync(string url)
    {
        using var response = await Admin.Http.GetAsync(url);
        var json = await AdminApiSession.JsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), json.ToString());
        return json;
    }

    private static long[] Ids(JsonElement page) => page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToArray();

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var json = await AdminApiSession.JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), json.ToString());
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(json.GetProperty("detail").GetString(), Does.Contain(detail));
        });
    }
}
