namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The admin REST API: a bearer token with <c>idp.admin</c> in the header (401 without, 403 with
/// another scope), JSON bodies read strictly, every refusal RFC 9457 problem details.
/// </summary>
public static partial class BadInputTable
{
    /// <summary>The admin token in the header: anything else is 401.</summary>
    private static Field AdminToken { get; } = new("Authorization", FieldLocation.Header)
    {
        Prefix = "Bearer ",
        Rule = Rule(Problem(401)),
    };

    /// <summary>A valid token of a client without <c>idp.admin</c>: 403.</summary>
    private static HostileInput NonAdminToken { get; } = new("NonAdminToken", InputClass.Request)
    {
        Apply = (r, _, w) => r.Set("Authorization", FieldLocation.Header, FieldValue.Of("Bearer " + w.NonAdminToken), inArray: false),
    };

    private static BadInputRequest Admin(BadInputWorld w, string method, string path) =>
        new BadInputRequest(method, path).Header("Authorization", "Bearer " + w.AdminToken);

    private static BadInputEndpoint AdminRow(string method, string path, Func<BadInputWorld, Task<BadInputRequest>> baseline, Expect answers, params Field[] fields) =>
        new(method, path, EndpointKind.AdminApi)
        {
            Baseline = baseline,
            Answers = answers,
            Refusal = Problem(400),
            Fields = [AdminToken, .. fields],
            ExtraInputs = [NonAdminToken],
            RequestRule = input => input.Name == NonAdminToken.Name ? Problem(403) : null,
            Body = fields.Any(f => f.Location == FieldLocation.Json) ? BodyKind.Json : BodyKind.None,
        };

    private static IEnumerable<BadInputEndpoint> AdminApi()
    {
        var notFound = Problem(404);
        var created = (DbChanges changes) => JsonDocument(201).Changing(changes);

        yield return AdminRow("GET", "/admin/api/clients", w => Task.FromResult(Admin(w, "GET", "/admin/api/clients")), JsonDocument()) with { TestsWrongMethod = true };

        yield return AdminRow("GET", "/admin/api/clients/{clientId}",
            w => Task.FromResult(Admin(w, "GET", "/admin/api/clients/{clientId}").Route("clientId", w.PublicClientId)),
            JsonDocument(),
            Route("clientId", Rule(notFound, ("Missing", JsonDocument())))) with { TestsWrongMethod = true };

        // Registering is allowed any display name a person could type (markup and quotes are text);
        // a refusal names the field and writes nothing.
        var client = DbChanges.None.Add("OpenIddictApplications").Add("AuditEvents");
        yield return AdminRow("POST", "/admin/api/clients",
            w => Task.FromResult(Admin(w, "POST", "/admin/api/clients")
                .Json("clientId", BadInputWorld.NewName("bad-new"))
                .Json("displayName", "New app")
                .JsonToken("public", "true")
                .JsonArray("redirectUris", "https://app.example/cb")
                .JsonArray("postLogoutRedirectUris", "https://app.example/signed-out")
                .Json("consent", "implicit")),
            created(client),
            Json("clientId"),
            Json("displayName", Rule(Problem(400), ("Missing", Baseline), ("Null", Baseline), ("Xss", Baseline), ("Sql", Baseline))),
            Json("public", Rule(Problem(400), ("Missing", Baseline)), JsonKind.Boolean),
            // An operator may register any HTTPS redirect URI, https://evil.example/ included.
            Json("redirectUris", Rule(Problem(400), ("AbsoluteUrl", Baseline)), JsonKind.StringArray, redirect: true),
            Json("postLogoutRedirectUris", Rule(Problem(400), ("Missing", Baseline), ("AbsoluteUrl", Baseline), ("Null", Baseline)), JsonKind.StringArray, redirect: true),
            Json("consent", Rule(Problem(400), ("Missing", Baseline), ("Null", Baseline))));

        yield return AdminRow("DELETE", "/admin/api/clients/{clientId}",
            async w => Admin(w, "DELETE", "/admin/api/clients/{clientId}").Route("clientId", await w.DisposableClientAsync()),
            new Expect(204, Answer.Empty).Changing(DbChanges.None.Remove("OpenIddictApplications").Add("AuditEvents")),
            Route("clientId", Rule(notFound, ("Missing", Problem(405)))));

        yield return AdminRow("GET", "/admin/api/tenants", w => Task.FromResult(Admin(w, "GET", "/admin/api/tenants")), JsonDocument()) with { TestsWrongMethod = true };

        yield return AdminRow("GET", "/admin/api/tenants/{name}",
            w => Task.FromResult(Admin(w, "GET", "/admin/api/tenants/{name}").Route("name", w.SignedInUser.TenantName)),
            JsonDocument(),
            Route("name", Rule(notFound, ("Missing", JsonDocument())))) with { TestsWrongMethod = true };

        // A tenant with its contract holder (no password: the holder is invited later).
        var tenant = DbChanges.None.Add("Tenants").Add("AspNetUsers").Add("AuditEvents", 2);
        yield return AdminRow("POST", "/admin/api/tenants",
            w => Task.FromResult(Admin(w, "POST", "/admin/api/tenants")
                .Json("name", BadInputWorld.NewName("bad"))
                .Json("plan", "Basic")
                .Json("holderEmail", BadInputWorld.UnknownAddress())
                .JsonToken("twoFactorEnabled", "true")),
            created(tenant),
            Json("name"),
            Json("plan", Rule(Problem(400), ("Missing", Baseline))),
            Json("holderEmail"),
            Json("twoFactorEnabled", Rule(Problem(400), ("Missing", Baseline)), JsonKind.Boolean));

        yield return AdminRow("GET", "/admin/api/users/{id}",
            async w => Admin(w, "GET", "/admin/api/users/{id}").Route("id", (await w.UserIdAsync(w.SignedInUser.Email)).ToString()),
            JsonDocument(),
            Route("id", Rule(notFound, ("Missing", Problem(405))))) with { TestsWrongMethod = true };

        var user = DbChanges.None.Add("AspNetUsers").Add("AuditEvents");
        yield return AdminRow("POST", "/admin/api/users",
            w => Task.FromResult(Admin(w, "POST", "/admin/api/users")
                .Json("tenantName", w.SignedInUser.TenantName)
                .Json("email", BadInputWorld.UnknownAddress())
                .Json("password", NewPassword)
                .Json("role", "User")
                .Json("displayName", "New user")),
            created(user),
            // A name that no tenant has is a 404; one with a control character could not be a name (400).
            Json("tenantName", Rule(Problem(404), ("Missing", Problem(400)), ("Null", Problem(400)), ("WrongType", Problem(400)), ("Duplicated", Problem(400)), ("Crlf", Problem(400)), ("RtlOverride", Problem(400)))),
            Json("email"),
            // A password is any text the policy accepts: markup and quotes are characters like others.
            Json("password", Rule(Problem(400), ("Xss", Baseline), ("Sql", Baseline), ("Crlf", Baseline))),
            Json("role", Rule(Problem(400), ("Missing", Baseline))),
            Json("displayName", Rule(Problem(400), ("Missing", Baseline), ("Null", Baseline), ("Xss", Baseline), ("Sql", Baseline))));

        yield return AdminRow("GET", "/admin/api/mail",
            w => Task.FromResult(Admin(w, "GET", "/admin/api/mail").Query("status", "failed").Query("limit", "5")),
            JsonDocument(),
            Query("status", Rule(Problem(400), ("Missing", Baseline))),
            Query("limit", Rule(Problem(400), ("Missing", Baseline)))) with { TestsWrongMethod = true };

        // Filters: an unknown tenant is a 404, a subject anything to look for; malformed times, kinds, numbers a 400.
        yield return AdminRow("GET", "/admin/api/audit",
            w => Task.FromResult(Admin(w, "GET", "/admin/api/audit")
                .Query("tenant", w.SignedInUser.TenantName)
                .Query("since", "7d")
                .Query("until", "2099-01-01T00:00:00Z")
                .Query("kind", "SignIn")
                .Query("subject", w.SignedInUser.Email)
                .Query("outcome", "Success")
                .Query("limit", "5")
                .Query("before", "999999999")),
            JsonDocument(),
            Query("tenant", Rule(notFound, ("Missing", Baseline), ("Duplicated", Problem(400)), ("Oversized", Problem(400)), ("Crlf", Problem(400)), ("RtlOverride", Problem(400)))),
            Query("since", Rule(Problem(400), ("Missing", Baseline))),
            Query("until", Rule(Problem(400), ("Missing", Baseline))),
            Query("kind", Rule(Problem(400), ("Missing", Baseline))),
            Query("subject", Rule(Baseline, ("Duplicated", Problem(400)), ("Oversized", Problem(400)), ("Crlf", Problem(400)), ("RtlOverride", Problem(400)))),
            Query("outcome", Rule(Problem(400), ("Missing", Baseline))),
            Query("limit", Rule(Problem(400), ("Missing", Baseline))),
            Query("before", Rule(Problem(400), ("Missing", Baseline)))) with { TestsWrongMethod = true };
    }
}
