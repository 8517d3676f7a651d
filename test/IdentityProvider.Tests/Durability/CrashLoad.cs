using System.Net;
using System.Text.Json;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace IdentityProvider.Tests.Durability;

/// <summary>
/// The crash test's clients, all at once against the child server: refresh chains (a sign-in
/// through the code flow with PKCE, then refreshes in a loop, always with the newest token received
/// in a completed 200), sign-ins that end at their code's redemption (each a chain of one token), and
/// forgot-password posts for existing users (each writes an outbox mail and an audit event).
/// A request that goes unanswered waits for the next run of the server and goes on as a real client
/// would: it retries a code or refresh token whose fate it does not know, and otherwise starts over.
/// Every answer that breaks a promise of an earlier completed answer is a violation in the ledger.
/// </summary>
public sealed class CrashLoad(ServerProcess server, CrashLedger ledger, string clientId, IReadOnlyList<string> emails, string password)
{
    public const string RedirectUri = "http://127.0.0.1:7000/cb";

    /// <summary>How long a worker waits after an answer it did not expect, so that a broken server is not hammered.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    private int chainIds;

    /// <summary>Runs the workers until <paramref name="stopping"/> is cancelled; the chains they leave open stay in the ledger.</summary>
    public Task RunAsync(int chainWorkers, int signInWorkers, int mailWorkers, CancellationToken stopping)
    {
        var workers = new List<Task>();
        for (var i = 0; i < chainWorkers; i++)
        {
            workers.Add(Worker($"chain{i + 1}", emails[i % emails.Count], stopping, RefreshChainsAsync));
        }

        for (var i = 0; i < signInWorkers; i++)
        {
            workers.Add(Worker($"signin{i + 1}", emails[(chainWorkers + i) % emails.Count], stopping, SignInsAsync));
        }

        for (var i = 0; i < mailWorkers; i++)
        {
            workers.Add(Worker($"mail{i + 1}", emails[(chainWorkers + signInWorkers + i) % emails.Count], stopping, MailRequestsAsync));
        }

        return Task.WhenAll(workers);
    }

    /// <summary>
    /// After the last restart: redeems the newest token of every chain still open. One received in
    /// a completed 200 must redeem; one whose last request went unanswered may have been spent by it.
    /// Returns how many redeemed.
    /// </summary>
    public async Task<int> RedeemLatestTokensAsync()
    {
        var redeemed = 0;
        var open = ledger.Chains.Where(c => !c.Ended).ToList();
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chain, _) =>
        {
            using var client = new LoadClient(server.BaseAddress, $"final{chain.Id}", ledger);
            var answer = await client.PostAsync("connect/token", RefreshForm(chain.Latest));
            if (answer is null)
            {
                ledger.Violation($"final check: chain {chain.Id}'s refresh went unanswered by the final run");
            }
            else if (answer.Status == HttpStatusCode.OK && RefreshTokenOf(answer) is not null)
            {
                Interlocked.Increment(ref redeemed);
                if (chain.MaybeSpent)
                {
                    ledger.RetriedAfterLoss(spent: false);
                }
            }
            else if (IsInvalidGrant(answer) && chain.MaybeSpent)
            {
                ledger.RetriedAfterLoss(spent: true);
            }
            else
            {
                ledger.Violation($"final check: chain {chain.Id} ({chain.Email}, {chain.Refreshes} refreshes): the newest refresh token, received in a 200 from run {chain.LatestRun}, "
                    + $"was answered {(int)answer.Status} after the final restart: {OneLine(answer.Body)}");
            }
        });
        return redeemed;
    }

    private static async Task Worker(string name, string email, CancellationToken stopping, Func<string, string, CancellationToken, Task> work)
    {
        try
        {
            await work(name, email, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while waiting for the server: the load is over.
        }
    }

    private async Task RefreshChainsAsync(string worker, string email, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var chain = await SignInAsync(worker, email, stopping);
            await RefreshAsync(worker, chain, stopping);
        }
    }

    private async Task SignInsAsync(string worker, string email, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await SignInAsync(worker, email, stopping);
        }
    }

    /// <summary>
    /// authorize → login page → login post → authorize again with the session → code → token request.
    /// Starts over after an unanswered request, keeping the browser's cookies: once a login post was
    /// answered, its session must still be there, in whatever run.
    /// </summary>
    private async Task<RefreshChain> SignInAsync(string worker, string email, CancellationToken stopping)
    {
        using var browser = new LoadClient(server.BaseAddress, worker, ledger);
        string? signedIn = null;
        while (true)
        {
            stopping.ThrowIfCancellationRequested();
            var pkce = Pkce.Create();
            var sent = server.Now();
            var authorize = await browser.GetAsync(AuthorizeUrl(pkce));
            if (authorize is null)
            {
                await RecoverAsync(browser, sent, "authorization request", stopping);
                continue;
            }

            if (IsRedirectTo(authorize, "/Account/Login"))
            {
                if (signedIn is not null)
                {
                    ledger.Violation($"{worker}: the session of a completed sign-in ({signedIn}) is gone: run {sent.Run} asks for the login again");
                }

                signedIn = await LogInAsync(worker, browser, email, authorize.Location!, stopping);
                continue;
            }

            if (authorize.Status != HttpStatusCode.Redirect || authorize.Location is not { } callback
                || !callback.ToString().StartsWith(RedirectUri, StringComparison.Ordinal)
                || !QueryHelpers.ParseQuery(callback.Query).TryGetValue("code", out var code))
            {
                ledger.UnexpectedAnswer($"{worker}: authorization request answered {(int)authorize.Status} {authorize.Location}");
                await Task.Delay(Pause, stopping);
                continue;
            }

            if (await RedeemCodeAsync(worker, browser, email, code.ToString(), pkce, sent.Run, stopping) is { } chain)
            {
                return chain;
            }
        }
    }

    /// <summary>Returns the User-Agent of the login post when it was answered with success, else null.</summary>
    private async Task<string?> LogInAsync(string worker, LoadClient browser, string email, Uri loginPage, CancellationToken stopping)
    {
        var sent = server.Now();
        var page = await browser.GetAsync(loginPage.PathAndQuery);
        if (page is null)
        {
            await RecoverAsync(browser, sent, "login page", stopping);
            return null;
        }

        var fields = new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password };
        if (LoadClient.ReturnUrl(page.Body) is { } returnUrl)
        {
            fields["ReturnUrl"] = returnUrl;
        }

        sent = server.Now();
        var posted = await browser.SubmitAsync(loginPage.PathAndQuery, page.Body, fields);
        var userAgent = browser.LastUserAgent;
        if (posted is null)
        {
            await RecoverAsync(browser, sent, "login post", stopping);
            return null;
        }

        if (posted.Status != HttpStatusCode.Redirect || IsRedirectTo(posted, "/Account/Login"))
        {
            ledger.UnexpectedAnswer($"{worker}: login post answered {(int)posted.Status} {posted.Location}");
            await Task.Delay(Pause, stopping);
            return null;
        }

        ledger.Completed(new CrashLedger.SignIn(userAgent, email, sent.Run));
        return userAgent;
    }

    /// <summary>Redeems a code received in a completed redirect; null when the sign-in has to start over.</summary>
    private async Task<RefreshChain?> RedeemCodeAsync(string worker, LoadClient browser, string email, string code, Pkce pkce, int codeRun, CancellationToken stopping)
    {
        var maybeSpent = false;
        while (true)
        {
            var sent = server.Now();
            var answer = await browser.PostAsync("connect/token", new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["client_id"] = clientId,
                ["code"] = code,
                ["redirect_uri"] = RedirectUri,
                ["code_verifier"] = pkce.Verifier,
            });
            if (answer is null)
            {
                maybeSpent = true;
                await RecoverAsync(browser, sent, "code redemption", stopping);
                continue;
            }

            if (answer.Status == HttpStatusCode.OK && RefreshTokenOf(answer) is { } token)
            {
                if (maybeSpent)
                {
                    ledger.RetriedAfterLoss(spent: false);
                }

                var chain = new RefreshChain(Interlocked.Increment(ref chainIds), email, token, sent.Run);
                ledger.Started(chain);
                return chain;
            }

            if (IsInvalidGrant(answer) && maybeSpent)
            {
                ledger.RetriedAfterLoss(spent: true);
                return null;
            }

            ledger.Violation($"{worker}: a code received in a completed redirect from run {codeRun} was answered {(int)answer.Status} by run {sent.Run}: {OneLine(answer.Body)}");
            return null;
        }
    }

    /// <summary>Refreshes until stopped, or until the chain's token is refused (then the caller signs in anew).</summary>
    private async Task RefreshAsync(string worker, RefreshChain chain, CancellationToken stopping)
    {
        using var client = new LoadClient(server.BaseAddress, worker, ledger);
        while (!stopping.IsCancellationRequested)
        {
            var sent = server.Now();
            var answer = await client.PostAsync("connect/token", RefreshForm(chain.Latest));
            if (answer is null)
            {
                chain.MaybeSpent = true;
                await RecoverAsync(client, sent, "refresh", stopping);
                continue;
            }

            if (answer.Status == HttpStatusCode.OK && RefreshTokenOf(answer) is { } token)
            {
                if (chain.MaybeSpent)
                {
                    ledger.RetriedAfterLoss(spent: false);
                }

                chain.Received(token, sent.Run);
                ledger.Refreshed();
                continue;
            }

            chain.Ended = true;
            if (IsInvalidGrant(answer) && chain.MaybeSpent)
            {
                // The unanswered request had redeemed it; this retry was a replay, which ends the chain.
                ledger.RetriedAfterLoss(spent: true);
                return;
            }

            ledger.Violation($"{worker}: chain {chain.Id}'s refresh token, received in a 200 from run {chain.LatestRun}, was answered {(int)answer.Status} by run {sent.Run}: {OneLine(answer.Body)}");
            return;
        }
    }

    private async Task MailRequestsAsync(string worker, string email, CancellationToken stopping)
    {
        using var browser = new LoadClient(server.BaseAddress, worker, ledger);
        while (!stopping.IsCancellationRequested)
        {
            var sent = server.Now();
            var page = await browser.GetAsync("Account/ForgotPassword");
            if (page is null)
            {
                await RecoverAsync(browser, sent, "forgot-password page", stopping);
                continue;
            }

            sent = server.Now();
            var sentAt = DateTimeOffset.UtcNow;
            var posted = await browser.SubmitAsync("Account/ForgotPassword", page.Body, new Dictionary<string, string> { ["Input.Email"] = email });
            var answeredAt = DateTimeOffset.UtcNow;
            var userAgent = browser.LastUserAgent;
            if (posted is null)
            {
                await RecoverAsync(browser, sent, "forgot-password post", stopping);
                continue;
            }

            if (!IsRedirectTo(posted, "/Account/ForgotPassword/Sent"))
            {
                ledger.UnexpectedAnswer($"{worker}: forgot-password post answered {(int)posted.Status} {posted.Location}");
                await Task.Delay(Pause, stopping);
                continue;
            }

            ledger.Completed(new CrashLedger.MailRequest(userAgent, email, sentAt, answeredAt, sent.Run));
        }
    }

    /// <summary>
    /// After an unanswered request: waits until the server answers again. Unanswered while the run
    /// it was sent to was up and still is (no kill in between) is itself unexpected; a request sent
    /// between a kill and the next run's start is refused, as a real client's would be.
    /// </summary>
    private async Task RecoverAsync(LoadClient client, ServerProcess.Moment sent, string what, CancellationToken stopping)
    {
        ledger.LostRequest();
        var failure = client.LastFailure;
        if (sent.WasUp && ReferenceEquals(server.Up, sent.Up))
        {
            ledger.UnexpectedAnswer($"{client.LastUserAgent}: {what} went unanswered while run {sent.Run} was up: {failure}");
            await Task.Delay(Pause, stopping);
        }

        await server.Up.WaitAsync(stopping);
    }

    private string AuthorizeUrl(Pkce pkce) => QueryHelpers.AddQueryString("connect/authorize", new Dictionary<string, string?>
    {
        ["client_id"] = clientId,
        ["response_type"] = "code",
        ["redirect_uri"] = RedirectUri,
        ["scope"] = "openid offline_access",
        ["state"] = Guid.NewGuid().ToString("N"),
        ["nonce"] = Guid.NewGuid().ToString("N"),
        ["code_challenge"] = pkce.Challenge,
        ["code_challenge_method"] = "S256",
    });

    private Dictionary<string, string> RefreshForm(string token) => new()
    {
        ["grant_type"] = "refresh_token",
        ["client_id"] = clientId,
        ["refresh_token"] = token,
    };

    private static string OneLine(string body) => string.Join(' ', body.Split((char[])['\r', '\n', ' '], StringSplitOptions.RemoveEmptyEntries));

    private static bool IsRedirectTo(Answer answer, string path) =>
        answer.Status == HttpStatusCode.Redirect && answer.Location is { } location
        && location.AbsolutePath.Equals(path, StringComparison.OrdinalIgnoreCase);

    private static string? RefreshTokenOf(Answer answer)
    {
        try
        {
            return JsonDocument.Parse(answer.Body).RootElement.TryGetProperty("refresh_token", out var token) ? token.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsInvalidGrant(Answer answer)
    {
        if (answer.Status != HttpStatusCode.BadRequest)
        {
            return false;
        }

        try
        {
            return JsonDocument.Parse(answer.Body).RootElement.TryGetProperty("error", out var error) && error.GetString() == "invalid_grant";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
