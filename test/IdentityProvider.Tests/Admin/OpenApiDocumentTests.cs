using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Admin;

/// <summary>The admin API is described by ASP.NET Core's built-in OpenAPI document (where <c>AdminApi:OpenApi</c> serves it), with how to get a token.</summary>
[TestFixture(DatabaseKind.Sqlite)]
public sealed class OpenApiDocumentTests(DatabaseKind kind)
{
    private IdpTestHost host = null!;
    private JsonElement document;
    private HttpResponseMessage response = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        host = await IdpTestHost.StartAsync(kind, new Dictionary<string, string?> { ["AdminApi:OpenApi"] = "true" });
        using var browser = host.CreateBrowser();
        response = await browser.Http.GetAsync("/openapi/v1.json");
        document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        response.Dispose();
        await host.DisposeAsync();
    }

    [Test]
    public void Document_IsServedAnonymouslyAsJson()
    {
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(document.GetProperty("openapi").GetString(), Does.StartWith("3."));
            Assert.That(document.GetProperty("info").GetProperty("title").GetString(), Is.EqualTo("Identity provider admin API"));
        });
    }

    [Test]
    public void Paths_ListTheAdminOperationsAndNothingElse()
    {
        var paths = document.GetProperty("paths").EnumerateObject().ToDictionary(
            p => p.Name, p => p.Value.EnumerateObject().Select(o => o.Name).Order(StringComparer.Ordinal).ToArray());

        Assert.That(paths, Is.EquivalentTo(new Dictionary<string, string[]>
        {
            ["/admin/api/clients"] = ["get", "post"],
            ["/admin/api/clients/{clientId}"] = ["delete", "get"],
            ["/admin/api/mail"] = ["get"],
            ["/admin/api/tenants"] = ["get", "post"],
            ["/admin/api/tenants/{name}"] = ["get"],
            ["/admin/api/users"] = ["post"],
            ["/admin/api/users/{id}"] = ["get"],
            ["/admin/api/audit"] = ["get"],
        }));
    }

    [Test]
    public void SecurityScheme_IsOAuth2ClientCredentialsWithAdminScope()
    {
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2");
        var flow = scheme.GetProperty("flows").GetProperty("clientCredentials");

        Assert.Multiple(() =>
        {
            Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("oauth2"));
            Assert.That(flow.GetProperty("tokenUrl").GetString(), Is.EqualTo("/connect/token"));
            Assert.That(flow.GetProperty("scopes").TryGetProperty("idp.admin", out _), Is.True);
            Assert.That(document.GetProperty("security")[0].GetProperty("oauth2").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "idp.admin" }));
        });
    }

    [Test]
    public void RequestBodies_DescribeTheRegistrationFields()
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");

        Assert.Multiple(() =>
        {
            Assert.That(schemas.GetProperty("ClientRegistration").GetProperty("required").EnumerateArray().Select(r => r.GetString()), Does.Contain("clientId"));
            Assert.That(schemas.GetProperty("UserCreation").GetProperty("required").EnumerateArray().Select(r => r.GetString()), Is.SupersetOf(new[] { "tenantName", "email", "password" }));
            Assert.That(
                schemas.GetProperty("TenantCreation").GetProperty("properties").GetProperty("plan").GetProperty("enum").EnumerateArray().Select(e => e.GetString()),
                Is.EqualTo(new[] { "Basic", "FreeTrial" }));
            Assert.That(
                document.GetProperty("paths").GetProperty("/admin/api/clients").GetProperty("post").GetProperty("requestBody").GetProperty("content")
                    .GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(),
                Is.EqualTo("#/components/schemas/ClientRegistration"));
        });
    }

    [Test]
    public void PostUser_DescribesItsProblemResponses()
    {
        var responses = document.GetProperty("paths").GetProperty("/admin/api/users").GetProperty("post").GetProperty("responses");

        Assert.Multiple(() =>
        {
            Assert.That(responses.EnumerateObject().Select(r => r.Name), Is.EquivalentTo(new[] { "201", "400", "401", "403", "404", "409", "413", "415" }));
            foreach (var status in new[] { "400", "404", "409", "413", "415" })
            {
                Assert.That(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), Is.True, status);
            }
        });
    }
}
