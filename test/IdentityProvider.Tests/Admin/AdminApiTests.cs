using System.Net;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Admin;

/// <summary>The admin REST API's happy paths (SPEC §11), on each database the product supports here.</summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AdminApiTests(DatabaseKind kind) : AdminApiFixture(kind)
{
    [Test]
    public async Task PostClient_Confidential_Returns201WithSecretThatWorksOnce()
    {
        var clientId = "api-" + Guid.NewGuid().ToString("N")[..12];

        using var response = await Admin.PostAsync("/admin/api/clients", new
        {
            clientId,
            displayName = "ストレージアプリ",
            redirectUris = new[] { "https://storage.example/signin-oidc" },
            postLogoutRedirectUris = new[] { "https://storage.example/" },
            scopes = new[] { "openid", "email", "profile" },
        });

        var json = await AdminApiSession.JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json.ToString());
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/admin/api/clients/{clientId}"));
            Assert.That(json.GetProperty("client").GetProperty("clientId").GetString(), Is.EqualTo(clientId));
            Assert.That(json.GetProperty("client").GetProperty("displayName").GetString(), Is.EqualTo("ストレージアプリ"));
            Assert.That(json.GetProperty("client").GetProperty("clientType").GetString(), Is.EqualTo("confidential"));
            Assert.That(json.GetProperty("client").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "openid", "email", "profile" }));
        });

        // The secret shown once is the one stored: the new client can authenticate with it.
        using var browser = Host.CreateBrowser();
        var token = await AdminApiSession.ClientCredentialsTokenAsync(browser, clientId, json.GetProperty("secret").GetString()!, scope: null);
        Assert.That(token, Is.Not.Empty);
    }

    [Test]
    public async Task PostClient_NullLists_MeanNoneGiven()
    {
        var clientId = "api-" + Guid.NewGuid().ToString("N")[..12];

        using var response = await Admin.Http.PostAsync("/admin/api/clients", new StringContent(
            $$"""{"clientId":"{{clientId}}","redirectUris":null,"postLogoutRedirectUris":null,"scopes":null}""", System.Text.Encoding.UTF8, "application/json"));

        var json = await AdminApiSession.JsonAsync(response);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json.ToString());
            Assert.That(json.GetProperty("client").GetProperty("redirectUris").GetArrayLength(), Is.Zero);
            Assert.That(json.GetProperty("client").GetProperty("scopes").GetArrayLength(), Is.EqualTo(4), "the default scopes");
        });
    }

    [Test]
    public async Task GetClients_AfterPost_ListsAndGetsTheClientWithoutSecret()
    {
        var clientId = "api-" + Guid.NewGuid().ToString("N")[..12];
        using var created = await Admin.PostAsync("/admin/api/clients", new { clientId, @public = true, redirectUris = new[] { "http://127.0.0.1:7000/cb" } });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        using var list = await Admin.Http.GetAsync("/admin/api/clients");
        using var one = await Admin.Http.GetAsync($"/admin/api/clients/{clientId}");

        var listed = (await AdminApiSession.JsonAsync(list)).EnumerateArray().SingleOrDefault(c => c.GetProperty("clientId").GetString() == clientId);
        var single = await AdminApiSession.JsonAsync(one);
        Assert.Multiple(() =>
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(listed.ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Object), "the new client is listed");
            Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(single.GetProperty("clientType").GetString(), Is.EqualTo("public"));
            Assert.That(single.GetProperty("redirectUris")[0].GetString(), Is.EqualTo("http://127.0.0.1:7000/cb"));
            Assert.That(single.TryGetProperty("secret", out _), Is.False);
        });
    }

    [Test]
    public async Task DeleteClient_Existing_Returns204AndTheClientIsGone()
    {
        var clientId = "api-" + Guid.NewGuid().ToString("N")[..12];
        using var created = await Admin.PostAsync("/admin/api/clients", new { clientId });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        using var deleted = await Admin.Http.DeleteAsync($"/admin/api/clients/{clientId}");
        using var after = await Admin.Http.GetAsync($"/admin/api/clients/{clientId}");

        Assert.Multiple(() =>
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task PostTenant_FreeTrial_Returns201AndIsListed()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var name = $"tenant-{id}";

        using var response = await Admin.PostAsync("/admin/api/tenants", new { name, plan = "FreeTrial", holderEmail = $"holder-{id}@example.test", twoFactorEnabled = false });
        using var list = await Admin.Http.GetAsync("/admin/api/tenants");

        var json = await AdminApiSession.JsonAsync(response);
        var listed = (await AdminApiSession.JsonAsync(list)).EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json.ToString());
            Assert.That(json.GetProperty("plan").GetString(), Is.EqualTo("FreeTrial"));
            Assert.That(json.GetProperty("twoFactorEnabled").GetBoolean(), Is.False);
            Assert.That(json.GetProperty("holderEmail").GetString(), Is.EqualTo($"holder-{id}@example.test"));
            Assert.That(json.GetProperty("trialEndsAt").GetDateTimeOffset() - json.GetProperty("createdAt").GetDateTimeOffset(), Is.EqualTo(TimeSpan.FromDays(30)));
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(listed.GetProperty("id").GetGuid(), Is.EqualTo(json.GetProperty("id").GetGuid()));
        });
    }

    [Test]
    public async Task PostUser_InExistingTenant_Returns201AndTheUserCanUseThePassword()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        using var tenant = await Admin.PostAsync("/admin/api/tenants", new { name = $"tenant-{id}", plan = "Basic", holderEmail = $"holder-{id}@example.test" });
        Assert.That(tenant.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var email = $"user-{id}@example.test";
        const string password = "Kumo-Sora-2026!x";

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = $"tenant-{id}", email, password, role = "Admin" });

        var json = await AdminApiSession.JsonAsync(response);
        var passwordWorks = await Host.InScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var user = await users.FindByEmailAsync(email);
            return user is not null && await users.CheckPasswordAsync(user, password);
        });
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json.ToString());
            Assert.That(response.Headers.Location?.OriginalString, Is.EqualTo($"/admin/api/users/{json.GetProperty("id").GetGuid()}"));
            Assert.That(json.GetProperty("email").GetString(), Is.EqualTo(email));
            Assert.That(json.GetProperty("tenantName").GetString(), Is.EqualTo($"tenant-{id}"));
            Assert.That(json.GetProperty("role").GetString(), Is.EqualTo("Admin"));
            Assert.That(json.GetProperty("loginMethod").GetString(), Is.EqualTo("Password"));
            Assert.That(passwordWorks, Is.True);
        });
    }

    [Test]
    public async Task LocationOfCreatedTenantAndUser_CanBeFetched()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        using var tenant = await Admin.PostAsync("/admin/api/tenants", new { name = $"tenant-{id}", plan = "Basic", holderEmail = $"holder-{id}@example.test" });
        using var user = await Admin.PostAsync("/admin/api/users", new { tenantName = $"tenant-{id}", email = $"user-{id}@example.test", password = "Kumo-Sora-2026!x" });
        Assert.That(new[] { tenant.StatusCode, user.StatusCode }, Is.All.EqualTo(HttpStatusCode.Created));

        using var fetchedTenant = await Admin.Http.GetAsync(tenant.Headers.Location);
        using var fetchedUser = await Admin.Http.GetAsync(user.Headers.Location);

        Assert.That(new[] { fetchedTenant.StatusCode, fetchedUser.StatusCode }, Is.All.EqualTo(HttpStatusCode.OK));
        var tenantJson = await AdminApiSession.JsonAsync(fetchedTenant);
        var userJson = await AdminApiSession.JsonAsync(fetchedUser);
        Assert.Multiple(() =>
        {
            Assert.That(tenantJson.GetProperty("name").GetString(), Is.EqualTo($"tenant-{id}"));
            Assert.That(tenantJson.GetProperty("holderEmail").GetString(), Is.EqualTo($"holder-{id}@example.test"));
            Assert.That(userJson.GetProperty("email").GetString(), Is.EqualTo($"user-{id}@example.test"));
            Assert.That(userJson.GetProperty("tenantName").GetString(), Is.EqualTo($"tenant-{id}"));
        });
    }
}
