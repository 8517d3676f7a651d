using IdentityProvider.Links;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.BadInput;

/// <summary>The pages: a bad value typed into a form gets the form again with its error (200); a broken form or link, the error page.</summary>
public static partial class BadInputTable
{
    private const string NewPassword = "Aozora-Kumo-2027#q";

    private static IEnumerable<BadInputEndpoint> Pages()
    {
        // The login page shows any return URL back in a hidden field; the post decides where it may lead.
        yield return new BadInputEndpoint("GET", "/Account/Login", EndpointKind.Page)
        {
            Baseline = _ => Task.FromResult(new BadInputRequest("GET", "/Account/Login").Query("ReturnUrl", BadInputWorld.LocalReturnUrl)),
            Answers = PageShowing("login-form"),
            Fields = [Query("ReturnUrl", Rule(Baseline), redirect: true)],
            TestsWrongMethod = true,
        };

        // A failed sign-in of an address nobody registered: the form again; it may add one audit
        // row and count one failure for the address, and nothing else.
        var failedSignIn = DbChanges.None.Add("AuditEvents").Upsert("SignInFailureCounters");
        yield return new BadInputEndpoint("POST", "/Account/Login", EndpointKind.Page)
        {
            Variant = "UnknownAddress",
            Baseline = w => Task.FromResult(new BadInputRequest("POST", "/Account/Login")
                .Form("Input.Email", BadInputWorld.UnknownAddress())
                .Form("Input.Password", "Wrong-Password-1")
                .Form("ReturnUrl", BadInputWorld.LocalReturnUrl)
                .Form("__RequestVerificationToken", w.AnonymousAntiforgery)),
            Answers = FormAgain("login-form").Changing(failedSignIn),
            Body = BodyKind.Form,
            Fields =
            [
                Form("Input.Email", Rule(FormAgain("login-form"), ("Duplicated", Baseline))),
                Form("Input.Password", Rule(Baseline, ("Missing", FormAgain("login-form")), ("Oversized", FormAgain("login-form")))),
                Form("ReturnUrl", Rule(Baseline), redirect: true),
                Antiforgery,
            ],
        };

        // A successful sign-in (a session row and its audit event): whatever the return URL says, the
        // browser stays on this server.
        var signIn = DbChanges.None.Add("UserSessions").Add("AuditEvents");
        yield return new BadInputEndpoint("POST", "/Account/Login", EndpointKind.Page)
        {
            Variant = "SignIn",
            Baseline = w => Task.FromResult(new BadInputRequest("POST", "/Account/Login")
                .Form("Input.Email", w.SignedInUser.Email)
                .Form("Input.Password", w.SignedInUser.Password)
                .Form("ReturnUrl", BadInputWorld.LocalReturnUrl)
                .Form("__RequestVerificationToken", w.AnonymousAntiforgery)),
            Answers = RedirectTo("/connect/authorize").Changing(signIn),
            Fields = [Form("ReturnUrl", Rule(RedirectTo("/").Changing(signIn), ("Duplicated", Baseline)), redirect: true)],
        };

        yield return new BadInputEndpoint("GET", "/Account/ForgotPassword", EndpointKind.Page)
        {
            Baseline = _ => Task.FromResult(new BadInputRequest("GET", "/Account/ForgotPassword").Query("email", BadInputWorld.UnknownAddress())),
            Answers = PageShowing("forgot-password-form"),
            Fields = [Query("email", Rule(Baseline))],
            TestsWrongMethod = true,
        };

        // The same answer for every address (no enumeration); an unregistered one queues no mail.
        yield return new BadInputEndpoint("POST", "/Account/ForgotPassword", EndpointKind.Page)
        {
            Baseline = w => Task.FromResult(new BadInputRequest("POST", "/Account/ForgotPassword")
                .Form("Input.Email", BadInputWorld.UnknownAddress())
                .Form("__RequestVerificationToken", w.AnonymousAntiforgery)),
            Answers = RedirectTo("/Account/ForgotPassword/Sent").Changing(DbChanges.None.Add("AuditEvents")),
            Body = BodyKind.Form,
            Fields = [Form("Input.Email", Rule(FormAgain("forgot-password-form"), ("Duplicated", Baseline))), Antiforgery],
        };

        yield return StaticPage("/Account/ForgotPassword/Sent", "forgot-password-sent");

        // Mailed links: a token that is not a live link is "unknown" (404), never an error.
        yield return new BadInputEndpoint("GET", "/Account/ResetPassword", EndpointKind.Page)
        {
            Baseline = async w => new BadInputRequest("GET", "/Account/ResetPassword").Query("token", await w.LinkTokenAsync(LinkPurpose.PasswordReset)),
            Answers = PageShowing("reset-password-form"),
            Fields = [Query("token", Rule(LinkProblem(), ("Duplicated", Baseline)))],
            TestsWrongMethod = true,
        };

        // A completed reset: link used, new hash, unlocked, 2FA cleared (new stamp), audited
        // (reset completed, 2FA registration reset), notice mailed.
        var reset = DbChanges.None.Change("UserLinkTokens").Change("AspNetUsers").Add("AuditEvents", 2).Add("MailOutbox");
        yield return new BadInputEndpoint("POST", "/Account/ResetPassword", EndpointKind.Page)
        {
            Baseline = async w => new BadInputRequest("POST", "/Account/ResetPassword")
                .Form("Token", await w.LinkTokenAsync(LinkPurpose.PasswordReset))
                .Form("Input.NewPassword", NewPassword)
                .Form("Input.ConfirmPassword", NewPassword)
                .Form("__RequestVerificationToken", w.AnonymousAntiforgery),
            Answers = RedirectTo("/Account/ResetPassword/Done").Changing(reset),
            Body = BodyKind.Form,
            Fields =
            [
                Form("Token", Rule(LinkProblem(), ("Duplicated", Baseline))),
                Form("Input.NewPassword", Rule(FormAgain("reset-password-form"), ("Duplicated", Baseline))),
                Form("Input.ConfirmPassword", Rule(FormAgain("reset-password-form"), ("Duplicated", Baseline))),
                Antiforgery,
            ],
        };

        yield return StaticPage("/Account/ResetPassword/Done", "reset-password-done");

        yield return new BadInputEndpoint("GET", "/Account/Unlock", EndpointKind.Page)
        {
            Baseline = async w => new BadInputRequest("GET", "/Account/Unlock").Query("token", await w.LinkTokenAsync(LinkPurpose.Unlock)),
            Answers = PageShowing("unlock-form"),
            Fields = [Query("token", Rule(LinkProblem(), ("Duplicated", Baseline)))],
            TestsWrongMethod = true,
        };

        // The unlock: link used, the account's lock and count cleared, audited.
        var unlock = DbChanges.None.Change("UserLinkTokens").Change("AspNetUsers").Add("AuditEvents");
        yield return new BadInputEndpoint("POST", "/Account/Unlock", EndpointKind.Page)
        {
            Baseline = async w => new BadInputRequest("POST", "/Account/Unlock")
                .Form("Token", await w.LinkTokenAsync(LinkPurpose.Unlock))
                .Form("__RequestVerificationToken", w.AnonymousAntiforgery),
            Answers = RedirectTo("/Account/Unlock/Done").Changing(unlock),
            Body = BodyKind.Form,
            Fields = [Form("Token", Rule(LinkProblem(), ("Duplicated", Baseline))), Antiforgery],
        };

        yield return StaticPage("/Account/Unlock/Done", "unlock-done");
        yield return StaticPage("/Account/SignedOut", "signed-out-message");
        yield return StaticPage("/", "not-signed-in");

        // The error page itself, asked for directly.
        yield return new BadInputEndpoint("GET", "/error", EndpointKind.Page)
        {
            Baseline = _ => Task.FromResult(new BadInputRequest("GET", "/error")),
            Answers = new Expect(200, Answer.ErrorPage),
            TestsWrongMethod = true,
            // Status code pages re-execute it with the failed request's method: it answers every method.
            RequestRule = input => input.Name == "WrongMethod" ? Baseline : null,
        };
        yield return new BadInputEndpoint("POST", "/error", EndpointKind.Page)
        {
            Baseline = _ => Task.FromResult(new BadInputRequest("POST", "/error").Form("x", "1")),
            Answers = new Expect(200, Answer.ErrorPage),
            Body = BodyKind.Form,
            RequestRule = input => input.Name == "TextPlainBody" ? Baseline : null,
        };

        foreach (var endpoint in ConsentPages())
        {
            yield return endpoint;
        }

        foreach (var endpoint in EndSessionPages())
        {
            yield return endpoint;
        }
    }

    /// <summary>A page without input of its own.</summary>
    private static BadInputEndpoint StaticPage(string path, string marker) => new("GET", path, EndpointKind.Page)
    {
        Baseline = _ => Task.FromResult(new BadInputRequest("GET", path)),
        Answers = PageShowing(marker),
        TestsWrongMethod = true,
    };

    /// <summary>The query of an authorization request of the third-party client, as the consent page gets it.</summary>
    private static BadInputRequest ConsentRequest(BadInputWorld w, BadInputRequest request, Func<BadInputRequest, string, string, BadInputRequest> add)
    {
        var pkce = Pkce.Create();
        add(request, "client_id", w.PartnerClientId);
        add(request, "response_type", "code");
        add(request, "redirect_uri", BadInputWorld.RedirectUri);
        add(request, "scope", "openid profile");
        add(request, "state", "consent-state");
        add(request, "nonce", "consent-nonce");
        add(request, "code_challenge", pkce.Challenge);
        return add(request, "code_challenge_method", "S256").As(BrowserIdentity.SignedIn);
    }

    private static IEnumerable<BadInputEndpoint> ConsentPages()
    {
        // The page trusts its query for display only (shown encoded); an unknown client is a 400.
        yield return new BadInputEndpoint("GET", "/connect/consent", EndpointKind.Page)
        {
            Baseline = w => Task.FromResult(ConsentRequest(w, new BadInputRequest("GET", "/connect/consent"), (r, n, v) => r.Query(n, v))),
            Answers = PageShowing("consent-form"),
            Fields =
            [
                Query("client_id", Rule(ErrorPage())),
                Query("scope", Rule(Baseline)),
                Query("state", Rule(Baseline)),
                Query("redirect_uri", Rule(Baseline), redirect: true),
            ],
            TestsWrongMethod = true,
        };

        // "許可しない": audited, and back to the authorization request, which answers access_denied.
        var denied = DbChanges.None.Add("AuditEvents");
        yield return new BadInputEndpoint("POST", "/connect/consent", EndpointKind.Page)
        {
            Baseline = w => Task.FromResult(ConsentRequest(w, new BadInputRequest("POST", "/connect/consent"), (r, n, v) => r.Form(n, v))
                .Form("idp_decision", "deny")
                .Form("__RequestVerificationToken", w.SignedInAntiforgery)),
            Answers = RedirectTo("/connect/authorize").Changing(denied),
            Body = BodyKind.Form,
            Fields =
            [
                Form("client_id", Rule(ErrorPage())),
                Form("idp_decision", Rule(Baseline)),
                Form("scope", Rule(Baseline)),
                Form("state", Rule(Baseline)),
                Form("redirect_uri", Rule(Baseline), redirect: true),
                Antiforgery,
            ],
        };
    }

    private static IEnumerable<BadInputEndpoint> EndSessionPages()
    {
        BadInputRequest Logout(BadInputWorld w, string method, bool hint)
        {
            var request = new BadInputRequest(method, "/connect/endsession");
            Func<string, string, BadInputRequest> add = method == "GET" ? request.Query : request.Form;
            add("client_id", w.PublicClientId);
            add("post_logout_redirect_uri", BadInputWorld.PostLogoutRedirectUri);
            add("state", "logout-state");
            if (hint)
            {
                add("id_token_hint", w.IdTokenHint);
            }

            return request;
        }

        // Without a session: nothing to end; back to the client's registered URI with its state.
        var loggedOut = RedirectTo(BadInputWorld.PostLogoutRedirectUri);
        yield return new BadInputEndpoint("GET", "/connect/endsession", EndpointKind.Page)
        {
            Variant = "NoSession",
            Baseline = w => Task.FromResult(Logout(w, "GET", hint: true)),
            Answers = loggedOut,
            Refusal = ErrorPage(),
            Fields =
            [
                Query("client_id", Rule(ErrorPage(), ("Missing", Baseline))),
                Query("post_logout_redirect_uri", Rule(ErrorPage(), ("Missing", RedirectTo("/Account/SignedOut"))), redirect: true),
                Query("state", Rule(Baseline, ("Duplicated", ErrorPage()), ("Oversized", ErrorPage()))),
                // OpenIddict uses a hint it can validate and ignores another; without a session nothing
                // is ended either way (EndSessionHintTests: with a session, a bad hint asks first).
                Query("id_token_hint", Rule(Baseline, ("Duplicated", ErrorPage()))),
            ],
            TestsWrongMethod = true,
            // OpenIddict's end-session endpoint refuses another method itself (invalid_request).
            RequestRule = input => input.Name == "WrongMethod" ? ErrorPage() : null,
        };

        // With a session and no hint: the confirmation, which shows the request's parameters back (encoded).
        yield return new BadInputEndpoint("GET", "/connect/endsession", EndpointKind.Page)
        {
            Variant = "Confirmation",
            Baseline = w => Task.FromResult(Logout(w, "GET", hint: false).As(BrowserIdentity.SignedIn)),
            Answers = PageShowing("logout-form"),
            Refusal = ErrorPage(),
            Fields =
            [
                Query("client_id", Rule(ErrorPage(), ("Missing", Baseline))),
                Query("post_logout_redirect_uri", Rule(ErrorPage(), ("Missing", Baseline)), redirect: true),
                Query("state", Rule(Baseline, ("Duplicated", ErrorPage()), ("Oversized", ErrorPage()))),
            ],
        };

        // The confirmation's post (antiforgery-checked once confirmed); without a session it only redirects.
        yield return new BadInputEndpoint("POST", "/connect/endsession", EndpointKind.Page)
        {
            Baseline = w => Task.FromResult(Logout(w, "POST", hint: false)
                .Form("idp_confirm", "1")
                .Form("__RequestVerificationToken", w.AnonymousAntiforgery)),
            Answers = loggedOut,
            Refusal = ErrorPage(),
            Body = BodyKind.Form,
            Fields =
            [
                Form("post_logout_redirect_uri", Rule(ErrorPage(), ("Missing", RedirectTo("/Account/SignedOut"))), redirect: true),
                Form("state", Rule(Baseline, ("Duplicated", ErrorPage()), ("Oversized", ErrorPage()))),
                Form("idp_confirm", Rule(Baseline, ("Duplicated", ErrorPage()), ("Oversized", ErrorPage()))),
                Antiforgery,
            ],
        };
    }
}
