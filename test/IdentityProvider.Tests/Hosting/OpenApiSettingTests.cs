using System.Net;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Hosting;

/// <summary>
/// The admin API's OpenAPI document is served only where <c>AdminApi:OpenApi</c> says so: by
/// default in Development, not in Production (finding 16 of the hardening issue).
/// </summary>
[TestFixture]
public sealed class OpenApiSettingTests
{
    [TestCase("Production", null, HttpStatusCode.NotFound)]
    [TestCase("Production", "true", HttpStatusCode.OK)]
    [TestCase("Development", null, HttpStatusCode.OK)]
    [TestCase("Development", "false", HttpStatusCode.NotFound)]
    public async Task OpenApiDocument_FollowsTheSetting(string environment, string? setting, HttpStatusCode expected)
    {
        await using var host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["AdminApi:OpenApi"] = setting }, environment);
        using var http = host.CreateClient();

        using var response = await http.GetAsync("/openapi/v1.json");

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }
}
