using System.Text;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The protocol endpoints: the authorization endpoint answers a known client at its registered
/// redirect URI and anything else with the error page; the others answer OAuth errors in JSON.
/// </summary>
public static partial class BadInputTable
{
    private const string RedirectUri = BadInputWorld.RedirectUri;

    private static IEnumerable<BadInputEndpoint> Protocol()
    {
        foreach (var endpoint in Authorization())
        {
            yield return endpoint;
        }

        foreach (var endpoint in Token())
        {
            yield return endpoint;
        }

        // Introspection of the client's own token: a token that is not one is "active": false (RFC 7662 §2.2).
        yield return new BadInputEndpoint("POST", "/connect/introspect", EndpointKind.OAuthJson)
        {
            Baseline = async w => ConfidentialClient(w, new BadInputRequest("POST", "/connect/introspect").Form("token", await w.ClientCredentialsTokenAsync())),
            Answers = JsonDocument(),
            Refusal = OAuth("invalid_request"),
            Body = BodyKind.Form,
            Fields =
            [
                Form("token", Rule(JsonDocument(), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")))),
                Form("token_type_hint", Hint),
                .. ClientAuthentication,
            ],
            TestsWrongMethod = true,
        };

        // Revocation: a token that is not one is revoked already (RFC 7009 §2.2); a real one goes on the deny list.
        yield return new BadInputEndpoint("POST", "/connect/revoke", EndpointKind.OAuthJson)
        {
            Baseline = async w => ConfidentialClient(w, new BadInputRequest("POST", "/connect/revoke").Form("token", await w.ClientCredentialsTokenAsync())),
            Answers = JsonDocument().Changing(DbChanges.None.Add("RevokedAccessTokens")),
            Refusal = OAuth("invalid_request"),
            Body = BodyKind.Form,
            Fields =
            [
                Form("token", Rule(JsonDocument(), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")))),
                Form("token_type_hint", Hint),
                .. ClientAuthentication,
            ],
            TestsWrongMethod = true,
        };

        // PAR stores a valid request (201, one row); state and nonce are the client's opaque values.
        yield return new BadInputEndpoint("POST", "/connect/par", EndpointKind.OAuthJson)
        {
            Baseline = w => Task.FromResult(AuthorizationRequest(w, new BadInputRequest("POST", "/connect/par"), (r, n, v) => r.Form(n, v))),
            Answers = JsonDocument(201).Changing(DbChanges.None.Add("OpenIddictTokens")),
            Refusal = OAuth("invalid_request"),
            Body = BodyKind.Form,
            Fields =
            [
                Form("client_id", Rule(InvalidClient, ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
                Form("redirect_uri", Rule(OAuth("invalid_request")), redirect: true),
                Form("response_type", Rule(OAuth("unsupported_response_type"), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
                Form("scope", Rule(OAuth("invalid_scope"), ("Missing", Baseline), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
                Form("state", Opaque),
                Form("nonce", Opaque),
                Form("code_challenge", Challenge(OAuth("invalid_request"))),
            ],
            TestsWrongMethod = true,
        };

        // Userinfo: a bearer token in the header (or the body), never in the URL.
        yield return new BadInputEndpoint("GET", "/connect/userinfo", EndpointKind.OAuthJson)
        {
            Baseline = w => Task.FromResult(new BadInputRequest("GET", "/connect/userinfo").Header("Authorization", "Bearer " + w.UserAccessToken)),
            Answers = JsonDocument(),
            Fields =
            [
                new Field("Authorization", FieldLocation.Header)
                {
                    Prefix = "Bearer ",
                    // Two Authorization headers read as one value that is no token.
                    Rule = Rule(Bearer("invalid_token"), ("Missing", Bearer(null))),
                },
            ],
            TestsWrongMethod = true,
            RequestRule = input => input.Name == "WrongMethod" ? Bearer("invalid_request", 400) : null,
        };
        yield return new BadInputEndpoint("POST", "/connect/userinfo", EndpointKind.OAuthJson)
        {
            Baseline = w => Task.FromResult(new BadInputRequest("POST", "/connect/userinfo").Form("access_token", w.UserAccessToken)),
            Answers = JsonDocument(),
            Body = BodyKind.Form,
            Fields = [Form("access_token", Rule(Bearer("invalid_token"), ("Missing", Bearer(null)), ("Duplicated", Bearer("invalid_request", 400))))],
            RequestRule = input => input.Name == "TextPlainBody" ? Bearer("invalid_request", 400) : null,
        };
    }

    /// <summary>state, nonce: the client's opaque values, taken as they are up to the 4 KB cap, each once.</summary>
    private static Func<HostileInput, Expect> Opaque { get; } =
        Rule(Baseline, ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")));

    /// <summary>RFC 6750 §3: the error in <c>WWW-Authenticate</c>, no body (none at all without a token).</summary>
    private static Expect Bearer(string? error, int status = 401) => new(status, Answer.BearerChallenge) { Error = error };

    /// <summary>RFC 6749 allows 401 for invalid_client, and OpenIddict answers it so.</summary>
    private static Expect InvalidClient => OAuth("invalid_client", 401);

    /// <summary>A token type hint is a hint (RFC 7009 §2.1, RFC 7662 §2.1): one the server does not know is ignored.</summary>
    private static Func<HostileInput, Expect> Hint { get; } =
        Rule(Baseline, ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")));

    /// <summary>
    /// The PKCE challenge is taken as the client's value, like OpenIddict does: a challenge that no
    /// verifier can match only makes the code unredeemable (RFC 7636 §4.4.1 requires an error for a
    /// missing one). Repeated, oversized or missing, it is refused.
    /// </summary>
    private static Func<HostileInput, Expect> Challenge(Expect refused) =>
        Rule(Baseline, ("Missing", refused), ("Duplicated", refused), ("Oversized", refused));

    /// <summary>client_id and client_secret of the confidential client, in the body.</summary>
    private static IEnumerable<Field> ClientAuthentication { get; } = Credentials(missing: InvalidClient);

    /// <summary>The client's credentials; the token endpoint calls a missing one invalid_request.</summary>
    private static Field[] Credentials(Expect missing) =>
    [
        Form("client_id", Rule(InvalidClient, ("Missing", missing), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
        Form("client_secret", Rule(InvalidClient, ("Missing", missing), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
    ];

    private static BadInputRequest ConfidentialClient(BadInputWorld w, BadInputRequest request) =>
        request.Form("client_id", w.ConfidentialClientId).Form("client_secret", w.ConfidentialSecret);

    /// <summary>A valid authorization request of the public client (PKCE S256).</summary>
    private static BadInputRequest AuthorizationRequest(BadInputWorld w, BadInputRequest request, Func<BadInputRequest, string, string, BadInputRequest> add)
    {
        var pkce = Pkce.Create();
        add(request, "client_id", w.PublicClientId);
        add(request, "response_type", "code");
        add(request, "redirect_uri", RedirectUri);
        add(request, "scope", "openid profile");
        add(request, "state", "s-" + Guid.NewGuid().ToString("N")[..8]);
        add(request, "nonce", "n-" + Guid.NewGuid().ToString("N")[..8]);
        add(request, "code_challenge", pkce.Challenge);
        return add(request, "code_challenge_method", "S256");
    }

    private static IEnumerable<BadInputEndpoint> Authorization()
    {
        // Errors the client can read go back to it (with state and iss); a bad client, redirect URI,
        // or a repeated parameter it needs to read the answer stays on our error page (400).
        var atClient = (string error) => RedirectTo(RedirectUri, error);
        var invalid = atClient("invalid_request");
        Field[] fields =
        [
            Query("client_id", Rule(ErrorPage())),
            Query("redirect_uri", Rule(ErrorPage()), redirect: true),
            // A response type the server does not know leaves no way to deliver an answer: the error page
            // (a known but refused one, response_type=token, goes back: SecurityBcpTests).
            Query("response_type", Rule(ErrorPage())),
            Query("scope", Rule(atClient("invalid_scope"), ("Missing", Baseline), ("Duplicated", invalid), ("Oversized", invalid))),
            Query("state", Rule(Baseline, ("Duplicated", ErrorPage()), ("Oversized", invalid))),
            Query("nonce", Rule(Baseline, ("Duplicated", invalid), ("Oversized", invalid))),
            Query("code_challenge", Challenge(invalid)),
            Query("code_challenge_method", Rule(invalid)),
            Query("prompt", Rule(invalid, ("Missing", Baseline))),
            Query("max_age", Rule(invalid, ("Missing", Baseline))),
            Query("ui_locales", Rule(Baseline, ("Duplicated", invalid), ("Oversized", invalid))),
            Query("login_hint", Rule(Baseline, ("Duplicated", invalid), ("Oversized", invalid))),
            Query("response_mode", Rule(ErrorPage(), ("Missing", Baseline))),
            Query("request_uri", Rule(atClient("request_uri_not_supported"), ("Missing", Baseline), ("Duplicated", invalid), ("Oversized", invalid))),
        ];

        yield return new BadInputEndpoint("GET", "/connect/authorize", EndpointKind.Authorization)
        {
            Baseline = w => Task.FromResult(AuthorizationRequest(w, new BadInputRequest("GET", "/connect/authorize"), (r, n, v) => r.Query(n, v))),
            Answers = RedirectTo("/Account/Login"),
            Fields = fields,
            TestsWrongMethod = true,
        };

        yield return new BadInputEndpoint("POST", "/connect/authorize", EndpointKind.Authorization)
        {
            Baseline = w => Task.FromResult(AuthorizationRequest(w, new BadInputRequest("POST", "/connect/authorize"), (r, n, v) => r.Form(n, v))),
            Answers = RedirectTo("/Account/Login"),
            Body = BodyKind.Form,
            Fields = [.. fields.Take(5).Select(f => f with { Location = FieldLocation.Form })],
        };

        // prompt=none without a session: login_required at the client, with the request's state.
        yield return new BadInputEndpoint("GET", "/connect/authorize", EndpointKind.Authorization)
        {
            Variant = "PromptNone",
            Baseline = w => Task.FromResult(AuthorizationRequest(w, new BadInputRequest("GET", "/connect/authorize"), (r, n, v) => r.Query(n, v)).Query("prompt", "none")),
            Answers = atClient("login_required"),
            Fields =
            [
                Query("state", Rule(Baseline, ("Duplicated", ErrorPage()), ("Oversized", invalid))),
                Query("redirect_uri", Rule(ErrorPage()), redirect: true),
                Query("response_mode", Rule(ErrorPage(), ("Missing", Baseline))),
            ],
        };

        // With a session: a code at the client, with the request's state (one authorization, one code entry).
        yield return new BadInputEndpoint("GET", "/connect/authorize", EndpointKind.Authorization)
        {
            Variant = "SignedIn",
            Baseline = w => Task.FromResult(AuthorizationRequest(w, new BadInputRequest("GET", "/connect/authorize"), (r, n, v) => r.Query(n, v)).As(BrowserIdentity.SignedIn)),
            Answers = RedirectTo(RedirectUri).Changing(DbChanges.None.Add("OpenIddictAuthorizations").Add("OpenIddictTokens")),
            Fields =
            [
                Query("state", Rule(Baseline, ("Duplicated", ErrorPage()), ("Oversized", invalid))),
                Query("nonce", Rule(Baseline, ("Duplicated", invalid), ("Oversized", invalid))),
            ],
        };
    }

    private static IEnumerable<BadInputEndpoint> Token()
    {
        var grantType = (string grant) => Form("grant_type", Rule(OAuth("unsupported_grant_type"), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request"))));

        // Client credentials: a JWT nothing records, so a valid request writes nothing either.
        yield return new BadInputEndpoint("POST", "/connect/token", EndpointKind.OAuthJson)
        {
            Variant = "ClientCredentials",
            Baseline = w => Task.FromResult(ConfidentialClient(w, new BadInputRequest("POST", "/connect/token").Form("grant_type", "client_credentials"))),
            Answers = JsonDocument(),
            Refusal = OAuth("invalid_request"),
            Body = BodyKind.Form,
            Fields =
            [
                grantType("client_credentials"),
                .. Credentials(missing: OAuth("invalid_request")),
                Form("scope", Rule(OAuth("invalid_scope"), ("Missing", Baseline), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
            ],
            TestsWrongMethod = true,
        };

        // The same client with HTTP Basic.
        yield return new BadInputEndpoint("POST", "/connect/token", EndpointKind.OAuthJson)
        {
            Variant = "BasicAuthentication",
            Baseline = w => Task.FromResult(new BadInputRequest("POST", "/connect/token")
                .Header("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{w.ConfidentialClientId}:{w.ConfidentialSecret}")))
                .Form("grant_type", "client_credentials")),
            Answers = JsonDocument(),
            Body = BodyKind.Form,
            Fields =
            [
                new Field("Authorization", FieldLocation.Header)
                {
                    Prefix = "Basic ",
                    Rule = Rule(OAuth("invalid_request")),
                },
            ],
        };

        // A code redemption: the code redeemed, an access and a refresh token recorded.
        var redeemed = DbChanges.None.Change("OpenIddictTokens").Add("OpenIddictTokens", 2);
        yield return new BadInputEndpoint("POST", "/connect/token", EndpointKind.OAuthJson)
        {
            Variant = "AuthorizationCode",
            Baseline = async w =>
            {
                var pkce = Pkce.Create();
                return new BadInputRequest("POST", "/connect/token")
                    .Form("grant_type", "authorization_code")
                    .Form("client_id", w.PublicClientId)
                    .Form("code", await w.CodeAsync(pkce))
                    .Form("redirect_uri", RedirectUri)
                    .Form("code_verifier", pkce.Verifier);
            },
            Answers = JsonDocument().Changing(redeemed),
            Refusal = OAuth("invalid_grant"),
            Body = BodyKind.Form,
            Fields =
            [
                grantType("authorization_code"),
                Form("client_id", Rule(InvalidClient, ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
                Form("code", Rule(OAuth("invalid_grant"), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")))),
                Form("redirect_uri", Rule(OAuth("invalid_grant"), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request"))), redirect: true),
                Form("code_verifier", Rule(OAuth("invalid_grant"), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
            ],
        };

        // A refresh: the old token redeemed, a new access and refresh token recorded.
        yield return new BadInputEndpoint("POST", "/connect/token", EndpointKind.OAuthJson)
        {
            Variant = "RefreshToken",
            Baseline = async w => new BadInputRequest("POST", "/connect/token")
                .Form("grant_type", "refresh_token")
                .Form("client_id", w.PublicClientId)
                .Form("refresh_token", await w.RefreshTokenAsync()),
            Answers = JsonDocument().Changing(redeemed),
            Refusal = OAuth("invalid_grant"),
            Body = BodyKind.Form,
            Fields =
            [
                grantType("refresh_token"),
                Form("client_id", Rule(InvalidClient, ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
                Form("refresh_token", Rule(OAuth("invalid_grant"), ("Missing", OAuth("invalid_request")), ("Duplicated", OAuth("invalid_request")))),
                Form("scope", Rule(OAuth("invalid_scope"), ("Missing", Baseline), ("Duplicated", OAuth("invalid_request")), ("Oversized", OAuth("invalid_request")))),
            ],
        };
    }
}
