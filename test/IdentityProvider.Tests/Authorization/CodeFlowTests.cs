using System.Net;
using System.Security.Claims;
using System.Text.Json;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Authorization;

[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class CodeFlowTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task Discovery_PublishesEndpointsKeysAndOnlyS256()
    {
        using var browser = Host.CreateBrowser();
        var discovery = JsonDocument.Parse(await browser.Http.GetStringAsync("/.well-known/openid-configuration")).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(discovery.GetProperty("issuer").GetString(), Is.EqualTo("https://localhost/"));
            Assert.That(discovery.GetProperty("authorization_endpoint").GetString(), Is.EqualTo("https://localhost/connect/authorize"));
            Assert.That(discovery.GetProperty("end_session_endpoint").GetString(), Is.EqualTo("https://localhost/connect/endsession"));
            Assert.That(discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "S256" }));
            Assert.That(discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()), Does.Contain("RS256"));
        });
        var jwks = JsonDocument.Parse(await browser.Http.GetStringAsync(discovery.GetProperty("jwks_uri").GetString())).RootElement;
        var key = jwks.GetProperty("keys")[0];
        Assert.That(key.GetProperty("kty").GetString(), Is.EqualTo("RSA"));
        Assert.That(key.TryGetProperty("d", out _), Is.False, "the private exponent must never be published");
    }

    [Test]
    public async Task CodeFlow_WithPkce_IssuesIdTokenSignedByJwksWithUserClaims()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var nonce = Guid.NewGuid().ToString("N");
        var before = DateTimeOffset.FromUnixTimeSeconds(Host.Clock.GetUtcNow().ToUnixTimeSeconds());

        var tokens = await SignInAsync(browser, clientId, user, nonce: nonce);

        var idToken = await ValidateAsync(browser.Http, tokens.GetProperty("id_token").GetString()!, clientId);
        Assert.Multiple(() =>
        {
            Assert.That(idToken.GetClaim("email").Value, Is.EqualTo(user.Email));
            Assert.That(idToken.GetClaim("nonce").Value, Is.EqualTo(nonce));
            Assert.That(Guid.TryParse(idToken.Subject, out _), Is.True);
            Assert.That(Guid.TryParse(idToken.GetClaim("tenant_id").Value, out _), Is.True);
            Assert.That(idToken.GetClaim("role").Value, Is.EqualTo("User"));
            Assert.That(idToken.GetClaim("login_method").Value, Is.EqualTo("Password"));
            Assert.That(DateTimeOffset.FromUnixTimeSeconds(long.Parse(idToken.GetClaim("auth_time").Value)), Is.GreaterThanOrEqualTo(before));
            Assert.That(tokens.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(tokens.TryGetProperty("refresh_token", out _), Is.True);
        });

        // amr is a JSON array even with a single method (OIDC Core §2).
        var payload = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(idToken.EncodedPayload)).RootElement;
        Assert.That(payload.GetProperty("amr").ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(payload.GetProperty("amr")[0].GetString(), Is.EqualTo("pwd"));
    }

    [Test]
    public async Task UserInfo_WithAccessToken_ReturnsTheUsersClaims()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var tokens = await SignInAsync(browser, clientId, user);

        using var response = await UserInfoAsync(browser.Http, tokens.GetProperty("access_token").GetString()!);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var claims = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(claims.GetProperty("email").GetString(), Is.EqualTo(user.Email));
            Assert.That(claims.GetProperty("role").GetString(), Is.EqualTo("User"));
            Assert.That(claims.GetProperty("login_method").GetString(), Is.EqualTo("Password"));
            Assert.That(claims.TryGetProperty("sub", out _), Is.True);
            Assert.That(claims.TryGetProperty("tenant_id", out _), Is.True);
        });
    }

    [Test]
    public async Task RefreshToken_Rotates_OldOneIsRejected_AndItsReplayRevokesTheNewOne()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var first = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;

        var (status, rotated) = await browser.TokenAsync(Refresh(clientId, first));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), rotated.ToString());
        var second = rotated.GetProperty("refresh_token").GetString()!;
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(rotated.TryGetProperty("id_token", out _), Is.True);

        var (replayStatus, replay) = await browser.TokenAsync(Refresh(clientId, first));
        Assert.That(replayStatus, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(replay.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));

        // The replay means the chain may be stolen: the newest token dies with it (RFC 9700 §4.14.2).
        var (afterReplay, _) = await browser.TokenAsync(Refresh(clientId, second));
        Assert.That(afterReplay, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Refresh_OfAdministrativelyLockedAccount_IsRefusedUntilTheLockEnds()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var refresh = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;
        Task LockUntilAsync(DateTimeOffset end) => Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Users
            .Where(u => u.Email == user.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, end)));

        await LockUntilAsync(Host.Clock.GetUtcNow().AddHours(1));
        var (lockedStatus, locked) = await browser.TokenAsync(Refresh(clientId, refresh));
        await LockUntilAsync(Host.Clock.GetUtcNow().AddMinutes(-1));
        var (status, json) = await browser.TokenAsync(Refresh(clientId, refresh));

        Assert.Multiple(() =>
        {
            Assert.That(lockedStatus, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(locked.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
            Assert.That(locked.GetProperty("error_description").GetString(), Is.EqualTo("The account is locked."));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "the refused request redeemed nothing: " + json);
        });
    }

    [Test]
    public async Task Revocation_OfRefreshToken_MakesItUnusable()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var refresh = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;

        using var revoked = await browser.Http.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = clientId,
            ["token"] = refresh,
            ["token_type_hint"] = "refresh_token",
        }));
        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var (status, json) = await browser.TokenAsync(Refresh(clientId, refresh));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_grant"));
    }

    [Test]
    public async Task EndSession_WithIdTokenHint_SignsOutAndReturnsToTheRelyingParty()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var idToken = (await SignInAsync(browser, clientId, user)).GetProperty("id_token").GetString()!;

        using var response = await browser.GetAsync(
            $"/connect/endsession?id_token_hint={idToken}&post_logout_redirect_uri={Uri.EscapeDataString(PostLogoutRedirectUri)}&state=bye");
        var location = TestBrowser.Location(response);
        Assert.That(location.GetLeftPart(UriPartial.Path), Is.EqualTo(PostLogoutRedirectUri));
        Assert.That(TestBrowser.Query(location)["state"], Is.EqualTo("bye"));

        // The session is gone: the next authorization request asks for a login.
        using var again = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        Assert.That(TestBrowser.Location(again).AbsolutePath, Is.EqualTo("/Account/Login"));
    }

    [Test]
    public async Task EndSession_WithoutIdTokenHint_AsksForConfirmationBeforeSigningOut()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        using var page = await browser.GetAsync("/connect/endsession");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("id=\"logout-submit\""));

        // Still signed in until the user confirms.
        using var stillIn = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        Assert.That(TestBrowser.Location(stillIn).GetLeftPart(UriPartial.Path), Is.EqualTo(RedirectUri));

        using var confirmed = await browser.SubmitFormAsync("/connect/endsession", html, new Dictionary<string, string> { ["idp_confirm"] = "1" });
        Assert.That(TestBrowser.Location(confirmed).AbsolutePath, Is.EqualTo("/Account/SignedOut"));
        using var after = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
        Assert.That(TestBrowser.Location(after).AbsolutePath, Is.EqualTo("/Account/Login"));
    }

    [Test]
    public async Task ClientCredentials_ConfidentialClient_GetsASignedAccessToken()
    {
        var (clientId, secret) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();

        var (status, json) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = "idp.admin",
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(json.GetProperty("access_token").GetString());
        Assert.That(token.Subject, Is.EqualTo(clientId));
        Assert.That(token.GetClaim("scope").Value, Is.EqualTo("idp.admin"));
    }

    [Test]
    public async Task ClientCredentials_WrongSecret_IsRejected()
    {
        var (clientId, _) = await ConfidentialClientAsync("idp.admin");
        using var browser = Host.CreateBrowser();

        var (status, json) = await browser.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = "not-the-secret-not-the-secret-not-the-secret",
        });

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized).Or.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json.GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task ConfidentialClient_CodeFlow_WithSecretAndWithoutPkce_Works()
    {
        var user = await Host.CreateUserAsync();
        var (clientId, secret) = await ConfidentialClientAsync();
        using var browser = Host.CreateBrowser();

        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce: null), user);
        var (status, json) = await browser.TokenAsync(CodeRedemption(clientId, TestBrowser.Query(callback)["code"], pkce: null, secret));

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
        await ValidateAsync(browser.Http, json.GetProperty("id_token").GetString()!, clientId);
    }

    [Test]
    public async Task RefreshToken_PresentedConcurrently_GetsTokensForOneRequestOnly()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var refreshToken = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;

        // All of them read the token as valid before any has written: only one redemption may win.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => browser.TokenAsync(Refresh(clientId, refreshToken)))));

        Assert.Multiple(() =>
        {
            Assert.That(answers.Count(a => a.Status == HttpStatusCode.OK), Is.EqualTo(1), string.Join("\n", answers.Select(a => a.Json.ToString())));
            Assert.That(answers.Where(a => a.Status != HttpStatusCode.OK).Select(a => a.Json.GetProperty("error").GetString()), Is.All.EqualTo("invalid_grant"));
        });
    }

    [Test]
    public async Task RefreshToken_WhenWritingTheNewTokensFails_SendsNothing_AndTheOldTokenStillWorks()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var refreshToken = (await SignInAsync(browser, clientId, user)).GetProperty("refresh_token").GetString()!;

        // The database refuses the new refresh token's row: the redemption of the old one must not stay.
        HttpStatusCode refused;
        await using (await RefuseTokenRowsAsync("refresh_token"))
        {
            using var response = await browser.Http.PostAsync("/connect/token", new FormUrlEncodedContent(Refresh(clientId, refreshToken)));
            refused = response.StatusCode;
        }

        var (retried, json) = await browser.TokenAsync(Refresh(clientId, refreshToken));

        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(retried, Is.EqualTo(HttpStatusCode.OK), "not a replay: the failed request redeemed nothing " + json);
        });
    }

    [Test]
    public async Task IdTokens_AreNotRecorded_AndStillServeAsIdTokenHint()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var tokens = await SignInAsync(browser, clientId, user);
        var (_, refreshed) = await browser.TokenAsync(Refresh(clientId, tokens.GetProperty("refresh_token").GetString()!));

        var idToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(refreshed.GetProperty("id_token").GetString());
        var types = await Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>()
            .Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Subject == idToken.Subject).Select(t => t.Type!).ToListAsync());
        using var endSession = await browser.GetAsync(
            $"/connect/endsession?id_token_hint={idToken.EncodedToken}&post_logout_redirect_uri={Uri.EscapeDataString(PostLogoutRedirectUri)}");

        Assert.Multiple(() =>
        {
            Assert.That(types, Has.None.Contains("id_token"), string.Join(", ", types));
            Assert.That(types.Count(t => t.EndsWith("refresh_token", StringComparison.Ordinal)), Is.EqualTo(2), "code redemption and refresh each recorded theirs");
            Assert.That(idToken.TryGetClaim("oi_tkn_id", out _), Is.False);
            Assert.That(TestBrowser.Location(endSession).GetLeftPart(UriPartial.Path), Is.EqualTo(PostLogoutRedirectUri), "the hint is still accepted: signed out and sent back");
        });
    }

    [Test]
    public async Task Authorize_WhenWritingTheCodeFails_LeavesNoAuthorizationBehind()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);
        var subject = (await Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Users
            .Where(u => u.Email == user.Email).Select(u => u.Id).SingleAsync())).ToString();
        Task<int> AuthorizationsAsync() => Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>()
            .Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization>().CountAsync(a => a.Subject == subject));
        var before = await AuthorizationsAsync();

        // The session is there: the next authorize creates an authorization and a code; the code's row is refused.
        HttpStatusCode refused;
        await using (await RefuseTokenRowsAsync("authorization_code"))
        {
            using var response = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));
            refused = response.StatusCode;
        }

        var after = await AuthorizationsAsync();

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(1), "the first sign-in's authorization");
            Assert.That(refused, Is.EqualTo(HttpStatusCode.InternalServerError), "no code without its row");
            Assert.That(after, Is.EqualTo(before), "the authorization and the code are written together or not at all");
        });
    }

    [TestCase("authorization_code")]
    [TestCase("refresh_token")]
    public async Task TokenRequest_OpensTheDatabaseConnectionOnce_AndClosesIt(string grant)
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var code = TestBrowser.Query(await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), user))["code"];
        var form = CodeRedemption(clientId, code, pkce);
        if (grant == "refresh_token")
        {
            var (_, tokens) = await browser.TokenAsync(form);
            form = Refresh(clientId, tokens.GetProperty("refresh_token").GetString()!);
        }

        var connections = Host.Services.GetRequiredService<ConnectionCounter>();
        connections.Watch("/connect/token");
        var (status, json) = await browser.TokenAsync(form);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), json.ToString());
            Assert.That(connections.Opened, Is.EqualTo(1), "read the token, read the user and write, on one connection");
            Assert.That(connections.Closed, Is.EqualTo(1), "and let it go before the request ends");
        });
    }

    [Test]
    public async Task SignInPost_FindsTheUser_ThenDoesTheRestOnOneConnection()
    {
        var (_, posted, connections) = await WatchedSignInPostAsync();

        Assert.Multiple(() =>
        {
            Assert.That(posted, Is.EqualTo(HttpStatusCode.Redirect), "signed in");
            // The user's lookup, then (after the hash) the counter reset, the claims, the roles and
            // the audit event: five openings before.
            Assert.That(connections.Opened, Is.EqualTo(2), "one connection for the lookup, one for everything after the hash");
            Assert.That(connections.Closed, Is.EqualTo(2), "both let go before the request ends");
        });
    }

    [Test]
    public async Task SignInPost_ReadsTheUserOnce_AndWritesItsSuccessAndAuditEvent_WithoutIdentityClaimsOrRoles()
    {
        var (user, posted, database) = await WatchedSignInPostAsync();
        var commands = database.Commands;

        Assert.Multiple(() =>
        {
            Assert.That(posted, Is.EqualTo(HttpStatusCode.Redirect), "signed in");
            // The lookup, the counter reset, the session's row (Sessions/) and the audit event. Identity's
            // own principal factory also read AspNetUserClaims and AspNetUserRoles: two commands more.
            Assert.That(commands, Has.Count.EqualTo(4), string.Join(" | ", commands));
            Assert.That(commands[2], Does.Contain("INSERT INTO").And.Contain("UserSessions"));
            Assert.That(commands, Has.None.Contains("AspNetUserClaims").And.None.Contains("AspNetUserRoles"));
        });

        // The session cookie still carries what Identity's factory put in it: the security stamp
        // signs the session out when the password changes elsewhere.
        var (stored, principal) = await Host.InScopeAsync(async services =>
        {
            var found = (await services.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(user.Email))!;
            return (found, await services.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(found));
        });
        Assert.Multiple(() =>
        {
            Assert.That(principal.FindFirst(ClaimTypes.NameIdentifier)?.Value, Is.EqualTo(stored.Id.ToString()));
            Assert.That(principal.FindFirst(ClaimTypes.Name)?.Value, Is.EqualTo(stored.UserName));
            Assert.That(principal.FindFirst(ClaimTypes.Email)?.Value, Is.EqualTo(user.Email));
            Assert.That(principal.FindFirst("AspNet.Identity.SecurityStamp")?.Value, Is.EqualTo(stored.SecurityStamp).And.Not.Empty);
            Assert.That(principal.Identity!.AuthenticationType, Is.EqualTo("Identity.Application"));
        });
    }

    [Test]
    public async Task SignInPost_WhenItsAuditEventCannotBeWritten_KeepsTheFailureCountAndSignsNobodyIn()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var login = await LoginPageAsync(browser, clientId);
        using (await browser.LoginAsync(login.PathAndQuery, user.Email, "not-the-password-1"))
        {
        }

        async Task<(int Failures, DateTimeOffset? LastSignIn)> StateAsync()
        {
            var row = await Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Users.AsNoTracking().SingleAsync(u => u.Email == user.Email));
            return (row.AccessFailedCount, row.LastSignInAt);
        }

        var before = await StateAsync();

        HttpStatusCode refused;
        await using (await RefuseAsync("AuditEvents", "refuse_audit"))
        {
            using var posted = await browser.LoginAsync(login.PathAndQuery, user.Email, user.Password);
            refused = posted.StatusCode;
        }

        var after = await StateAsync();
        using var authorize = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, Pkce.Create()));

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo((1, (DateTimeOffset?)null)), "one failure counted, never signed in");
            Assert.That(refused, Is.EqualTo(HttpStatusCode.InternalServerError), "no session without its audit event");
            Assert.That(after, Is.EqualTo(before), "the success's reset and sign-in time are written with its audit event or not at all");
            Assert.That(TestBrowser.Location(authorize).AbsolutePath, Is.EqualTo("/Account/Login"), "and the browser has no session");
        });
    }

    [Test]
    public async Task Authorize_WithASession_LinksTheAuthorizationToTheClient_AndItsCodeRedeems()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        await SignInAsync(browser, clientId, user);

        var pkce = Pkce.Create();
        using var authorized = await browser.GetAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce));
        var code = TestBrowser.Query(TestBrowser.Location(authorized))["code"];
        var (status, tokens) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce));

        var (applicationId, authorizationApplications) = await Host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var application = await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>().SingleAsync(a => a.ClientId == clientId);
            var subject = (await db.Users.SingleAsync(u => u.Email == user.Email)).Id.ToString();
            var linked = await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization>()
                .Where(a => a.Subject == subject).Select(a => a.Application!.Id).ToListAsync();
            return (application.Id, linked);
        });
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), tokens.ToString());
            Assert.That(authorizationApplications, Is.EqualTo(new[] { applicationId, applicationId }), "both sign-ins' authorizations belong to the client");
        });
    }

    /// <summary>A new user signs in at the login page while <see cref="ConnectionCounter"/> watches the POST; its status.</summary>
    private async Task<(TestUser User, HttpStatusCode Posted, ConnectionCounter Database)> WatchedSignInPostAsync()
    {
        var user = await Host.CreateUserAsync();
        var clientId = await PublicClientAsync();
        using var browser = Host.CreateBrowser();
        var login = await LoginPageAsync(browser, clientId);

        var database = Host.Services.GetRequiredService<ConnectionCounter>();
        database.Watch("/Account/Login");
        using var posted = await browser.LoginAsync(login.PathAndQuery, user.Email, user.Password);
        return (user, posted.StatusCode, database);
    }

    /// <summary>
    /// Makes the database refuse new token rows of one type (a trigger) until the result is disposed:
    /// a write that fails after OpenIddict has decided to issue.
    /// </summary>
    private Task<IAsyncDisposable> RefuseTokenRowsAsync(string type) =>
        RefuseAsync("OpenIddictTokens", "refuse_" + type, ("Type", "%" + type));

    /// <summary>
    /// Makes the database refuse new rows of <paramref name="table"/> (a trigger), or only those whose
    /// <paramref name="where"/> column is LIKE its pattern, until the result is disposed.
    /// </summary>
    private async Task<IAsyncDisposable> RefuseAsync(string table, string name, (string Column, string Like)? where = null)
    {
        var (postgres, sqlServer, sqlite) = where is ({ } column, { } like)
            ? ($"""WHEN (NEW."{column}" LIKE '{like}') """, $"IF EXISTS (SELECT 1 FROM inserted WHERE {column} LIKE '{like}') ", $"WHEN NEW.{column} LIKE '{like}' ")
            : ("", "", "");
        await SqlAsync(Kind switch
        {
            DatabaseKind.PostgreSql => $"""
                CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
                CREATE TRIGGER {name} BEFORE INSERT ON "{table}" FOR EACH ROW {postgres}EXECUTE FUNCTION {name}();
                """,
            DatabaseKind.SqlServer => $"CREATE TRIGGER {name} ON {table} AFTER INSERT AS {sqlServer}THROW 50000, 'refused by the test', 1;",
            _ => $"CREATE TRIGGER {name} BEFORE INSERT ON {table} {sqlite}BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        });
        return new Dropping(() => SqlAsync(Kind == DatabaseKind.PostgreSql
            ? $"""DROP TRIGGER {name} ON "{table}"; DROP FUNCTION {name}();"""
            : $"DROP TRIGGER {name};"));
    }

    private sealed class Dropping(Func<Task> drop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await drop();
    }

    private Task SqlAsync(string sql) =>
        Host.InScopeAsync(services => services.GetRequiredService<IdpDbContext>().Database.ExecuteSqlRawAsync(sql));
}
