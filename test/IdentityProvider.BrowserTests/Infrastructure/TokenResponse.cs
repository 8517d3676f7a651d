using System.Net;
using System.Text.Json;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>What the token endpoint answered.</summary>
public sealed record TokenResponse(HttpStatusCode Status, JsonElement Json)
{
    public string? IdToken => Json.TryGetProperty("id_token", out var value) ? value.GetString() : null;
}
