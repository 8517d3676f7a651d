using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.Admin;

/// <summary>
/// Issue 20, finding 14: every input of every admin API route has a limit, and a request beyond it
/// is refused with problem details naming the field, changes nothing and is logged once
/// (<see cref="AdminInputRefusal"/>). The same rules live in the services the CLI calls
/// (<see cref="Cli.CliInputTests"/>).
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class AdminApiInputTests(DatabaseKind kind) : AdminApiFixture(kind)
{
    private const string Password = "Kumo-Sora-2026!x";

    [TestCase("../x", TestName = "PostTenant_NameWithPathTraversal_Returns400")]
    [TestCase("acme/x", TestName = "PostTenant_NameWithSlash_Returns400")]
    [TestCase("acme corp", TestName = "PostTenant_NameWithSpace_Returns400")]
    [TestCase("Acme", TestName = "PostTenant_NameWithUpperCase_Returns400")]
    [TestCase("テナント", TestName = "PostTenant_NameNotAscii_Returns400")]
    [TestCase("аcme", TestName = "PostTenant_NameWithCyrillicLookAlike_Returns400")]
    [TestCase("ac\u202Eme", TestName = "PostTenant_NameWithBidiOverride_Returns400")]
    [TestCase("ac\u0000me", TestName = "PostTenant_NameWithNul_Returns400")]
    [TestCase("-acme", TestName = "PostTenant_NameStartingWithHyphen_Returns400")]
    [TestCase("a", TestName = "PostTenant_NameOfOneCharacter_Returns400")]
    [TestCase("", TestName = "PostTenant_NameEmpty_Returns400")]
    public async Task PostTenant_UnsafeName_Returns400NamingTheField(string name)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/tenants", new { name, plan = "Basic", holderEmail = UniqueEmail() });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "name", "is not a tenant name");
    }

    [Test]
    public async Task PostTenant_NameOf64Characters_Returns400_And63IsAccepted()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);
        using var tooLong = await Admin.PostAsync("/admin/api/tenants", new { name = UniqueName(64), plan = "Basic", holderEmail = UniqueEmail() });
        await refusal.AssertAsync(tooLong, HttpStatusCode.BadRequest, "name", "is not a tenant name");

        using var longest = await Admin.PostAsync("/admin/api/tenants", new { name = UniqueName(63), plan = "Basic", holderEmail = UniqueEmail() });
        Assert.That(longest.StatusCode, Is.EqualTo(HttpStatusCode.Created), await longest.Content.ReadAsStringAsync());
    }

    [TestCase("holder@", TestName = "PostTenant_EmailWithoutDomain_Returns400")]
    [TestCase("holder@localhost", TestName = "PostTenant_EmailWithSingleLabelDomain_Returns400")]
    [TestCase("hol der@example.test", TestName = "PostTenant_EmailWithSpace_Returns400")]
    [TestCase("holder@example.test\r\nBcc: x@evil.example", TestName = "PostTenant_EmailWithHeaderInjection_Returns400")]
    [TestCase("\"quoted\"@example.test", TestName = "PostTenant_EmailWithQuotedLocalPart_Returns400")]
    [TestCase("ユーザー@example.jp", TestName = "PostTenant_EmailNotAscii_Returns400")]
    [TestCase("a..b@example.test", TestName = "PostTenant_EmailWithDoubleDot_Returns400")]
    public async Task PostTenant_InvalidHolderEmail_Returns400NamingTheField(string holderEmail)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/tenants", new { name = UniqueName(), plan = "Basic", holderEmail });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "holderEmail", "is not a valid e-mail address");
    }

    [Test]
    public async Task PostTenant_EmailOver254Characters_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);
        var holderEmail = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 62), 3)) + ".example";

        using var response = await Admin.PostAsync("/admin/api/tenants", new { name = UniqueName(), plan = "Basic", holderEmail });

        Assert.That(holderEmail, Has.Length.GreaterThan(254));
        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "holderEmail", "at most 254 characters");
    }

    [TestCase("""{"name":"acme-x","plan":1,"holderEmail":"h@example.test"}""", "plan", "expected one of Basic, FreeTrial", TestName = "PostTenant_PlanAsNumber_Returns400")]
    [TestCase("""{"name":"acme-x","plan":"Gold","holderEmail":"h@example.test"}""", "plan", "expected one of Basic, FreeTrial", TestName = "PostTenant_UnknownPlan_Returns400")]
    [TestCase("""{"name":"acme-x","plan":null,"holderEmail":"h@example.test"}""", "plan", "must not be null", TestName = "PostTenant_PlanNull_Returns400")]
    [TestCase("""{"name":null,"holderEmail":"h@example.test"}""", "name", "must not be null", TestName = "PostTenant_NameNull_Returns400")]
    [TestCase("""{"holderEmail":"h@example.test"}""", "name", "is required", TestName = "PostTenant_NameMissing_Returns400")]
    [TestCase("""{"name":"acme-x","holderEmail":"h@example.test","twoFactorEnabled":"yes"}""", "twoFactorEnabled", "expected true or false", TestName = "PostTenant_TwoFactorAsString_Returns400")]
    [TestCase("""{"name":"acme-x","holderEmail":"h@example.test","owner":"me"}""", "owner", "unknown field", TestName = "PostTenant_UnknownField_Returns400")]
    [TestCase("""{"name":"acme-x","holderEmail":"h@example.test","Name":"acme-y"}""", "name", "given more than once", TestName = "PostTenant_FieldTwiceInOtherCase_Returns400")]
    [TestCase("""{"name":["acme-x"],"holderEmail":"h@example.test"}""", "name", "expected a string", TestName = "PostTenant_NameAsArray_Returns400")]
    public async Task PostTenant_MalformedField_Returns400NamingTheField(string body, string field, string detail)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await PostRawAsync("/admin/api/tenants", body);

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, field, detail);
    }

    [Test]
    public async Task PostUser_DisplayNameOver200Characters_Returns400_And200IsAccepted()
    {
        var tenant = await Host.CreateUserAsync();
        var refusal = await AdminInputRefusal.ExpectAsync(Host);
        using var tooLong = await Admin.PostAsync("/admin/api/users", new { tenantName = tenant.TenantName, email = UniqueEmail(), password = Password, displayName = new string('名', 201) });
        await refusal.AssertAsync(tooLong, HttpStatusCode.BadRequest, "displayName", "at most 200 characters");

        using var longest = await Admin.PostAsync("/admin/api/users", new { tenantName = tenant.TenantName, email = UniqueEmail(), password = Password, displayName = new string('名', 200) });
        Assert.That(longest.StatusCode, Is.EqualTo(HttpStatusCode.Created), await longest.Content.ReadAsStringAsync());
    }

    [TestCase("山田\n太郎", TestName = "PostUser_DisplayNameWithLineBreak_Returns400")]
    [TestCase("山田\u0007太郎", TestName = "PostUser_DisplayNameWithControlCharacter_Returns400")]
    [TestCase("山田\u202E郎太", TestName = "PostUser_DisplayNameWithBidiOverride_Returns400")]
    public async Task PostUser_DisplayNameWithHiddenCharacters_Returns400(string displayName)
    {
        var tenant = await Host.CreateUserAsync();
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = tenant.TenantName, email = UniqueEmail(), password = Password, displayName });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "displayName", "must not contain control");
    }

    [Test]
    public async Task PostUser_TenantNameWithNul_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = "acme\u0000", email = UniqueEmail(), password = Password });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "tenantName", "must not contain control");
    }

    [Test]
    public async Task PostUser_FiveMegabyteDisplayName_Returns413()
    {
        var tenant = await Host.CreateUserAsync();
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/users", new { tenantName = tenant.TenantName, email = UniqueEmail(), password = Password, displayName = new string('a', 5_000_000) });

        await refusal.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, field: null, "larger than 256 KiB");
    }

    [Test]
    public async Task PostUser_RoleAsNumber_Returns400()
    {
        var tenant = await Host.CreateUserAsync();
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await PostRawAsync("/admin/api/users", $$"""{"tenantName":"{{tenant.TenantName}}","email":"{{UniqueEmail()}}","password":"{{Password}}","role":1}""");

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "role", "expected one of");
    }

    [TestCase("https://user:pw@app.example/cb", "must not contain a user name or password", TestName = "PostClient_RedirectUriWithUserInfo_Returns400")]
    [TestCase("https://@app.example/cb", "must not contain a user name or password", TestName = "PostClient_RedirectUriWithEmptyUserInfo_Returns400")]
    [TestCase("https://good.example@evil.example/cb", "must not contain a user name or password", TestName = "PostClient_RedirectUriLookAlikeHost_Returns400")]
    [TestCase("https://*.app.example/cb", "wildcards are not supported", TestName = "PostClient_RedirectUriWildcardHost_Returns400")]
    [TestCase("https://app.example/*", "wildcards are not supported", TestName = "PostClient_RedirectUriWildcardPath_Returns400")]
    [TestCase("https://app.example/cb#", "without a fragment", TestName = "PostClient_RedirectUriEmptyFragment_Returns400")]
    [TestCase("https://app.example/コールバック", "must be ASCII", TestName = "PostClient_RedirectUriNotAscii_Returns400")]
    [TestCase("https://app.example/c b", "must be ASCII", TestName = "PostClient_RedirectUriWithSpace_Returns400")]
    public async Task PostClient_UnsafeRedirectUri_Returns400NamingTheField(string redirectUri, string detail)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), redirectUris = new[] { redirectUri } });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "redirectUris", detail);
    }

    [Test]
    public async Task PostClient_PostLogoutUriWithUserInfo_Returns400NamingTheField()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new
        {
            clientId = UniqueClientId(),
            redirectUris = new[] { "https://app.example/cb" },
            postLogoutRedirectUris = new[] { "https://user:pw@app.example/" },
        });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "postLogoutRedirectUris", "must not contain a user name or password");
    }

    [Test]
    public async Task PostClient_RedirectUriOver2000Characters_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), redirectUris = new[] { "https://app.example/" + new string('p', 2000) } });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "redirectUris", "at most 2000 characters");
    }

    [TestCase(21)]
    [TestCase(10_000)]
    public async Task PostClient_TooManyRedirectUris_Returns400(int count)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);
        var uris = Enumerable.Range(0, count).Select(i => $"https://a.io/{i}").ToArray();

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), redirectUris = uris });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "redirectUris", $"at most 20 redirect URIs, not {count}");
    }

    [Test]
    public async Task PostClient_TwentyRedirectUris_IsAccepted()
    {
        using var response = await Admin.PostAsync("/admin/api/clients", new
        {
            clientId = UniqueClientId(),
            redirectUris = Enumerable.Range(0, 20).Select(i => $"https://app.example/{i}").ToArray(),
        });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [TestCase("https://spa.example/app", "is not an origin", TestName = "PostClient_AllowedOriginWithPath_Returns400")]
    [TestCase("https://spa.example?x=1", "is not an origin", TestName = "PostClient_AllowedOriginWithQuery_Returns400")]
    [TestCase("spa.example", "is not an origin", TestName = "PostClient_AllowedOriginWithoutScheme_Returns400")]
    [TestCase("null", "is not an origin", TestName = "PostClient_AllowedOriginNullString_Returns400")]
    [TestCase("ftp://spa.example", "is not an origin", TestName = "PostClient_AllowedOriginFtp_Returns400")]
    [TestCase("http://spa.example", "must use https", TestName = "PostClient_AllowedOriginPlainHttpNotLoopback_Returns400")]
    [TestCase("https://*.spa.example", "wildcards are not supported", TestName = "PostClient_AllowedOriginWildcard_Returns400")]
    [TestCase("https://user@spa.example", "must not contain a user name or password", TestName = "PostClient_AllowedOriginWithUserInfo_Returns400")]
    public async Task PostClient_InvalidAllowedOrigin_Returns400NamingTheField(string origin, string detail)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), @public = true, redirectUris = new[] { "https://spa.example/cb" }, allowedOrigins = new[] { origin } });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "allowedOrigins", detail);
    }

    [Test]
    public async Task PostClient_AllowedOrigins_AreStoredAsBrowsersSendThem()
    {
        var clientId = UniqueClientId();

        using var response = await Admin.PostAsync("/admin/api/clients", new
        {
            clientId,
            @public = true,
            redirectUris = new[] { "https://spa.example/cb" },
            allowedOrigins = new[] { "https://SPA.Example:443/", "https://spa.example", "http://127.0.0.1:5173", "https://spa.example:8443" },
        });
        using var fetched = await Admin.Http.GetAsync($"/admin/api/clients/{clientId}");

        var json = await AdminApiSession.JsonAsync(fetched);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(json.GetProperty("allowedOrigins").EnumerateArray().Select(o => o.GetString()),
            Is.EqualTo(new[] { "https://spa.example", "http://127.0.0.1:5173", "https://spa.example:8443" }));
    }

    [Test]
    public async Task PostClient_SecretOver512Characters_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), secret = new string('s', 513) });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "secret", "at most 512");
    }

    [Test]
    public async Task PostClient_TooManyScopes_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), scopes = Enumerable.Repeat("openid", 21).ToArray() });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "scopes", "at most 20 scopes");
    }

    [Test]
    public async Task PostClient_DisplayNameOver200Characters_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), displayName = new string('x', 201) });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "displayName", "at most 200 characters");
    }

    [TestCase("../x", TestName = "PostClient_ClientIdWithPathTraversal_Returns400")]
    [TestCase("app\u0000", TestName = "PostClient_ClientIdWithNul_Returns400")]
    public async Task PostClient_UnsafeClientId_Returns400(string clientId)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "clientId", "must be 1-100 characters");
    }

    [Test]
    public async Task PostClient_PublicWithoutRedirectUri_NamesTheJsonFieldNotTheFlag()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.PostAsync("/admin/api/clients", new { clientId = UniqueClientId(), @public = true });

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "redirectUris", "a public client needs at least one redirect URI");
    }

    [TestCase("{\"clientId\": ", "not valid JSON (line 1, byte 14)", TestName = "PostClient_TruncatedJson_Returns400SayingWhere")]
    [TestCase("{\"clientId\": \"app-x\",}", "not valid JSON", TestName = "PostClient_TrailingComma_Returns400")]
    [TestCase("[]", "must be a JSON object, not an array", TestName = "PostClient_ArrayBody_Returns400")]
    [TestCase("null", "must be a JSON object, not null", TestName = "PostClient_NullBody_Returns400")]
    [TestCase("", "the body is empty", TestName = "PostClient_EmptyBody_Returns400")]
    public async Task PostClient_MalformedBody_Returns400(string body, string detail)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await PostRawAsync("/admin/api/clients", body);

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, field: null, detail);
    }

    [Test]
    public async Task PostClient_InvalidUtf8_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);
        var bytes = Encoding.UTF8.GetBytes("{\"clientId\":\"app-").Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(Encoding.UTF8.GetBytes("\"}")).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await Admin.Http.PostAsync("/admin/api/clients", content);

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, field: null, "not valid UTF-8");
    }

    [Test]
    public async Task PostClient_UnknownField_Returns400NamingItAndTheKnownOnes()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await PostRawAsync("/admin/api/clients", $$"""{"clientId":"{{UniqueClientId()}}","redirectUri":"https://app.example/cb"}""");

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "redirectUri", "unknown field; the fields are clientId,");
    }

    [TestCase("text/plain", TestName = "PostClient_TextPlain_Returns415")]
    [TestCase("application/x-www-form-urlencoded", TestName = "PostClient_Form_Returns415")]
    [TestCase(null, TestName = "PostClient_NoContentType_Returns415")]
    public async Task PostClient_NotJson_Returns415(string? contentType)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"clientId":"{{UniqueClientId()}}"}"""));
        if (contentType is not null)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        using var response = await Admin.Http.PostAsync("/admin/api/clients", content);

        await refusal.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, field: null, "send the body as JSON");
    }

    [Test]
    public async Task PostClient_NotJsonWithoutToken_Returns401NotTheMediaType()
    {
        using var anonymous = Host.CreateBrowser();

        using var response = await anonymous.Http.PostAsync("/admin/api/clients", new StringContent("clientId=x", Encoding.UTF8, "text/plain"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task PostClient_ChunkedBodyOverTheLimit_Returns413()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);
        var json = $$"""{"clientId":"{{UniqueClientId()}}","displayName":"{{new string('a', 300 * 1024)}}"}""";
        // No Content-Length: the limit must hold while reading, not only on the header.
        using var content = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await Admin.Http.PostAsync("/admin/api/clients", content);

        Assert.That(content.Headers.ContentLength, Is.Null);
        await refusal.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, field: null, "larger than 256 KiB");
    }

    [TestCase("/admin/api/mail?limit=ten", "limit", "is not a whole number")]
    [TestCase("/admin/api/mail?limit=-1", "limit", "is not a whole number")]
    [TestCase("/admin/api/mail?limit=1.5", "limit", "is not a whole number")]
    [TestCase("/admin/api/mail?limit=99999999999", "limit", "is not a whole number")]
    [TestCase("/admin/api/mail?limit=0", "limit", "must be between 1 and 1000")]
    [TestCase("/admin/api/mail?status=bounced", "status", "is not one of failed, pending, sent")]
    [TestCase("/admin/api/audit?limit=ten", "limit", "is not a whole number")]
    [TestCase("/admin/api/audit?before=abc", "before", "is not a whole number")]
    [TestCase("/admin/api/audit?before=99999999999999999999", "before", "is not a whole number")]
    [TestCase("/admin/api/audit?before=0", "before", "must be an event id")]
    [TestCase("/admin/api/audit?since=yesterday", "since", "is not a time")]
    [TestCase("/admin/api/audit?until=9999999d", "until", "is not a time")]
    [TestCase("/admin/api/audit?kind=%00", "kind", "unknown kind '\\u0000'")]
    [TestCase("/admin/api/audit?kind=AccountLocked,AccountUnlocked", "kind", "unknown kind")]
    [TestCase("/admin/api/audit?kind=3", "kind", "unknown kind")]
    [TestCase("/admin/api/audit?kind=SignIn&kind=AccountLocked", "kind", "given more than once")]
    [TestCase("/admin/api/mail?status=sent&status=failed", "status", "given more than once")]
    [TestCase("/admin/api/audit?tenant=a%00b", "tenant", "must not contain control")]
    [TestCase("/admin/api/audit?subject=a%00b", "subject", "must not contain control")]
    public async Task ListQuery_MalformedParameter_Returns400NamingIt(string url, string field, string detail)
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.Http.GetAsync(url);

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, field, detail);
    }

    [Test]
    public async Task AuditQuery_SubjectOver256Characters_Returns400()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.Http.GetAsync("/admin/api/audit?subject=" + new string('s', 257));

        await refusal.AssertAsync(response, HttpStatusCode.BadRequest, "subject", "at most 256 characters");
    }

    [Test]
    public async Task GetClient_HugeUnknownId_Returns404WithAShortDetail()
    {
        var refusal = await AdminInputRefusal.ExpectAsync(Host);

        using var response = await Admin.Http.GetAsync("/admin/api/clients/" + new string('x', 4000));

        await refusal.AssertAsync(response, HttpStatusCode.NotFound, field: null, "(4000 characters)");
        Assert.That(await response.Content.ReadAsStringAsync(), Has.Length.LessThan(1000), "the detail quotes an excerpt, not the whole value");
    }

    private Task<HttpResponseMessage> PostRawAsync(string path, string body) =>
        Admin.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private static string UniqueName(int length = 20)
    {
        var id = Guid.NewGuid().ToString("N");
        return ("t-" + id + new string('x', 64))[..(length - 1)] + "z";
    }

    private static string UniqueEmail() => $"user-{Guid.NewGuid():N}@example.test";

    private static string UniqueClientId() => "in-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A stream that does not say how long it is, so that HttpClient sends no Content-Length.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
