using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Admin;

/// <summary>
/// Rejected admin API requests: RFC 9457 problem details with the right status, and nothing written.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class AdminApiRejectionTests(DatabaseKind kind) : AdminApiFixture(kind)
{
    private const string StrongPassword = "Kumo-Sora-2026!x";

    [Test]
    public async Task PostClient_DuplicateClientId_Returns409ProblemAndKeepsTheFirst()
    {
        var clientId = UniqueClientId();
        using var first = await Admin.PostAsync("/admin/api/clients", new { clientId, redirectUris = new[] { "https://first.example/cb" } });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId, @public = true, redirectUris = new[] { "https://second.example/cb" } });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "already exists");
        var kept = await Host.InScopeAsync(services => services.GetRequiredService<ClientRegistry>().GetAsync(clientId));
        Assert.That(kept.RedirectUris, Is.EqualTo(new[] { "https://first.example/cb" }));
    }

    [TestCase("not a uri")]
    [TestCase("http://app.example/cb")]
    [TestCase("https://app.example/cb#fragment")]
    public async Task PostClient_MalformedRedirectUri_Returns400ProblemAndRegistersNothing(string redirectUri)
    {
        var clientId = UniqueClientId();

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId, redirectUris = new[] { redirectUri } });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "redirect URI");
        Assert.That(await ClientExistsAsync(clientId), Is.False);
    }

    [Test]
    public async Task PostClient_PublicWithSecret_Returns400ProblemAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId, @public = true, secret = new string('s', 40), redirectUris = new[] { "https://app.example/cb" } });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "public client has no secret");
        Assert.That(await ClientExistsAsync(clientId), Is.False);
    }

    [Test]
    public async Task PostClient_UnsupportedIdTokenAlgorithm_Returns400ProblemAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId, @public = true, redirectUris = new[] { "https://app.example/cb" }, idTokenSignedResponseAlg = "none" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "idTokenSignedResponseAlg: must be one of RS256, ES256");
        Assert.That(await ClientExistsAsync(clientId), Is.False);
    }

    [Test]
    public async Task PostClient_NullInsideRedirectUris_Returns400ProblemAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        using var response = await PostRawAsync("/admin/api/clients", $$"""{"clientId":"{{clientId}}","redirectUris":[null]}""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "redirect URI");
        Assert.That(await ClientExistsAsync(clientId), Is.False);
    }

    [Test]
    public async Task PostClient_NullInsideScopes_Returns400ProblemAndRegistersNothing()
    {
        var clientId = UniqueClientId();

        using var response = await PostRawAsync("/admin/api/clients", $$"""{"clientId":"{{clientId}}","scopes":["openid",null]}""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "unknown scope");
        Assert.That(await ClientExistsAsync(clientId), Is.False);
    }

    [TestCase("{\"clientId\": ", TestName = "PostClient_TruncatedJson_Returns400Problem")]
    [TestCase("clientId=app", TestName = "PostClient_FormInsteadOfJson_Returns400Problem")]
    [TestCase("{\"clientId\": 42}", TestName = "PostClient_NumberForString_Returns400Problem")]
    [TestCase("{\"redirectUris\": []}", TestName = "PostClient_MissingRequiredClientId_Returns400Problem")]
    public async Task PostClient_MalformedJson_Returns400Problem(string body)
    {
        var before = await ClientCountAsync();

        using var response = await PostRawAsync("/admin/api/clients", body);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail: null);
        Assert.That(await ClientCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task GetClient_Unknown_Returns404Problem()
    {
        using var response = await Admin.Http.GetAsync($"/admin/api/clients/{UniqueClientId()}");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "No client with client_id");
    }

    [Test]
    public async Task DeleteClient_Unknown_Returns404Problem()
    {
        using var response = await Admin.Http.DeleteAsync($"/admin/api/clients/{UniqueClientId()}");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "No client with client_id");
    }

    [Test]
    public async Task PostTenant_DuplicateName_Returns409ProblemAndCreatesNoSecondHolder()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        using var first = await Admin.PostAsync("/admin/api/tenants", new { name = $"tenant-{id}", plan = "Basic", holderEmail = $"holder-{id}@example.test" });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        using var response = await Admin.PostAsync("/admin/api/tenants", new { name = $"tenant-{id}", plan = "Basic", holderEmail = $"other-{id}@example.test" });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "already exists");
        Assert.That(await UserExistsAsync($"other-{id}@example.test"), Is.False);
    }

    [Test]
    public async Task PostTenant_UnknownPlan_Returns400ProblemAndCreatesNothing()
    {
        var id = Guid.NewGuid().ToString("N")[..12];

        using var response = await Admin.PostAsync("/admin/api/tenants", new { name = $"tenant-{id}", plan = "Gold", holderEmail = $"holder-{id}@example.test" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail: null);
        Assert.That(await TenantExistsAsync($"tenant-{id}"), Is.False);
    }

    [Test]
    public async Task PostTenant_WeakHolderPassword_Returns400ProblemAndCreatesNothing()
    {
        var id = Guid.NewGuid().ToString("N")[..12];

        using var response = await Admin.PostAsync("/admin/api/tenants", new { name = $"tenant-{id}", plan = "Basic", holderEmail = $"holder-{id}@example.test", holderPassword = "password" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "at least 3 of");
        var tenantExists = await TenantExistsAsync($"tenant-{id}");
        var holderExists = await UserExistsAsync($"holder-{id}@example.test");
        Assert.Multiple(() =>
        {
            Assert.That(tenantExists, Is.False);
            Assert.That(holderExists, Is.False);
        });
    }

    [Test]
    public async Task PostUser_UnknownTenant_Returns404ProblemAndCreatesNothing()
    {
        var email = UniqueEmail();

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = "no-such-tenant-" + Guid.NewGuid().ToString("N"), email, password = StrongPassword });

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "No tenant named");
        Assert.That(await UserExistsAsync(email), Is.False);
    }

    [Test]
    public async Task PostUser_WeakPassword_Returns400ProblemAndCreatesNothing()
    {
        var tenant = await Host.CreateUserAsync();
        var email = UniqueEmail();

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = tenant.TenantName, email, password = "password" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "at least 3 of");
        Assert.That(await UserExistsAsync(email), Is.False);
    }

    [Test]
    public async Task PostUser_WeakPasswordAskingForJapanese_ExplainsInJapanese()
    {
        var tenant = await Host.CreateUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/api/users")
        {
            Content = JsonContent.Create(new { tenantName = tenant.TenantName, email = UniqueEmail(), password = "password" }),
        };
        request.Headers.AcceptLanguage.ParseAdd("ja");

        using var response = await Admin.Http.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "3種類以上");
    }

    [Test]
    public async Task PostUser_DuplicateEmail_Returns409Problem()
    {
        var existing = await Host.CreateUserAsync();

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = existing.TenantName, email = existing.Email.ToUpperInvariant(), password = "Other-Pass-2026!y" });

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "already used");
    }

    [Test]
    public async Task PostUser_ContractHolderRole_Returns400ProblemAndCreatesNothing()
    {
        var tenant = await Host.CreateUserAsync();
        var email = UniqueEmail();

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = tenant.TenantName, email, password = StrongPassword, role = "ContractHolder" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "User or Admin");
        Assert.That(await UserExistsAsync(email), Is.False);
    }

    [Test]
    public async Task PostUser_NullTenantName_Returns400ProblemAndCreatesNothing()
    {
        var email = UniqueEmail();

        using var response = await PostRawAsync("/admin/api/users", $$"""{"tenantName":null,"email":"{{email}}","password":"{{StrongPassword}}"}""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail: null);
        Assert.That(await UserExistsAsync(email), Is.False);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
            Assert.That(json.GetProperty("title").GetString(), Is.Not.Empty);
            Assert.That(json.TryGetProperty("detail", out var given) ? given.GetString() : null, detail is null ? Is.Not.Empty : Does.Contain(detail), body);
        });
    }

    private Task<HttpResponseMessage> PostRawAsync(string path, string body) =>
        Admin.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private Task<bool> ClientExistsAsync(string clientId) =>
        Host.InScopeAsync(async services => (await services.GetRequiredService<ClientRegistry>().ListAsync()).Any(c => c.ClientId == clientId));

    private Task<int> ClientCountAsync() =>
        Host.InScopeAsync(async services => (await services.GetRequiredService<ClientRegistry>().ListAsync()).Count);

    private Task<bool> TenantExistsAsync(string name) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Tenants.AnyAsync(t => t.Name == name));

    private Task<bool> UserExistsAsync(string email) =>
        Host.InScopeAsync(async services => await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(email) is not null);

    private static string UniqueClientId() => "api-" + Guid.NewGuid().ToString("N")[..12];

    private static string UniqueEmail() => $"user-{Guid.NewGuid():N}@example.test";
}
