using System.Net;
using IdentityProvider.Clients;
using IdentityProvider.Tests.Authorization;
using IdentityProvider.Tests.Infrastructure;
using IdentityProvider.Tests.Lockout;
using IdentityProvider.Tests.Mail;
using IdentityProvider.Tests.PasswordReset;

namespace IdentityProvider.Tests.Security;

/// <summary>
/// Issue 20, "secrets at rest": client secrets, passwords, link tokens, codes and tokens are
/// stored only as hashes (or not at all). A full flow runs with secrets the test knows, and then
/// every text and binary value of every table — read through the database's catalog, so that new
/// tables are covered without being listed — is searched for any of them, in the encodings a
/// careless store would use. Later features that add a secret (recovery codes, one-time codes)
/// add it to this flow.
/// </summary>
[TestFixture(DatabaseKind.Sqlite)]
[TestFixture(DatabaseKind.PostgreSql)]
[TestFixture(DatabaseKind.SqlServer)]
public sealed class SecretsAtRestTests(DatabaseKind kind) : OidcFlowFixture(kind)
{
    [Test]
    public async Task FullFlow_LeavesNoSecretInClearInAnyTable()
    {
        var secrets = new SecretScan();

        // A confidential client with a secret of our choosing, a code flow with PKCE, and a refresh.
        var clientSecret = "known-client-secret-" + Guid.NewGuid().ToString("N");
        var clientId = "at-rest-" + Guid.NewGuid().ToString("N")[..10];
        await Host.RegisterClientAsync(new ClientRegistration { ClientId = clientId, Secret = clientSecret, RedirectUris = [RedirectUri] });
        secrets.Add("client secret", clientSecret);

        var signedIn = await Host.CreateUserAsync("Hoshi-Zora-2026#a");
        secrets.Add("password", signedIn.Password);
        using var browser = Host.CreateBrowser();
        var pkce = Pkce.Create();
        var callback = await browser.AuthorizeAsync(TestBrowser.AuthorizeUrl(clientId, RedirectUri, pkce), signedIn);
        var code = TestBrowser.Query(callback)["code"];
        var (issued, tokens) = await browser.TokenAsync(CodeRedemption(clientId, code, pkce, clientSecret));
        Assert.That(issued, Is.EqualTo(HttpStatusCode.OK), tokens.ToString());
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        var refreshForm = Refresh(clientId, refreshToken);
        refreshForm["client_secret"] = clientSecret;
        var (refreshed, rotated) = await browser.TokenAsync(refreshForm);
        Assert.That(refreshed, Is.EqualTo(HttpStatusCode.OK), rotated.ToString());
        secrets.Add("authorization code", code)
            .Add("PKCE verifier", pkce.Verifier)
            .Add("refresh token", refreshToken)
            .Add("rotated refresh token", rotated.GetProperty("refresh_token").GetString()!)
            .Add("access token", tokens.GetProperty("access_token").GetString()!)
            .Add("refreshed access token", rotated.GetProperty("access_token").GetString()!);

        // A password reset, completed (its link used, a new password set), and another link left pending.
        var resetting = await Host.CreateUserAsync("Niji-Kumo-2026#b");
        secrets.Add("password before its reset", resetting.Password);
        var usedLink = await ResetFlow.RequestLinkAsync(Host, resetting.Email);
        using (var resetBrowser = Host.CreateBrowser())
        using (var reset = await ResetFlow.SubmitAsync(resetBrowser, usedLink, ResetFlow.NewPassword))
        {
            Assert.That(reset.StatusCode, Is.Not.EqualTo(HttpStatusCode.InternalServerError));
        }

        Host.Clock.Advance(TimeSpan.FromSeconds(1)); // the newest reset mail is the one after this
        var pendingLink = await ResetFlow.RequestLinkAsync(Host, resetting.Email);
        secrets.Add("password set by the reset", ResetFlow.NewPassword)
            .Add("used reset-link token", QueuedMail.TokenOf(usedLink))
            .Add("pending reset-link token", QueuedMail.TokenOf(pendingLink));

        // A lockout: ten wrong passwords, and the unlock link the lock mails.
        var locked = await Host.CreateUserAsync("Yuki-Hana-2026#c");
        secrets.Add("password of the locked account", locked.Password);
        using (var attacker = Host.CreateBrowser())
        {
            for (var i = 1; i <= 10; i++)
            {
                var attempt = $"Guess-Password-{i:D2}";
                secrets.Add($"wrong password {i}", attempt);
                await LoginAnswer.AttemptAsync(attacker, locked.Email, attempt);
            }
        }

        var unlockMail = (await QueuedMail.ForAsync(Host, locked.Email, "AccountLocked")).Single();
        secrets.Add("unlock-link token", QueuedMail.TokenOf(QueuedMail.LinkIn(unlockMail.TextBody, "/Account/Unlock")));

        // While the mails wait in the outbox, and once the drain job has sent them.
        var waiting = await DatabaseDump.ReadAsync(Host);
        await OutboxTesting.DrainAsync(Host);
        var sent = await DatabaseDump.ReadAsync(Host);
        var outbox = await OutboxTesting.RowsAsync(Host);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(waiting.Tables, Is.SupersetOf(new[] { "AspNetUsers", "OpenIddictApplications", "OpenIddictTokens", "UserLinkTokens", "MailOutbox", "AuditEvents" }));
            Assert.That(new SecretScan().Add("e-mail", signedIn.Email).Add("client id", clientId).FindIn(waiting), Is.Not.Empty, "the dump reads what is stored");
            Assert.That(outbox.Select(m => m.Template), Is.SupersetOf(new[] { "PasswordReset", "PasswordReset", "AccountLocked" }));
            Assert.That(outbox.Select(m => m.SentAt), Has.All.Not.Null, "every mail went out");
            Assert.That(secrets.FindIn(waiting), Is.Empty, "while the mails wait");
            Assert.That(secrets.FindIn(sent), Is.Empty, "after they were sent");
        }
    }
}
