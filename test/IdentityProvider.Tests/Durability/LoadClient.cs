using System.Net;
using System.Text.RegularExpressions;

namespace IdentityProvider.Tests.Durability;

/// <summary>
/// One simulated browser (and its relying party) of the crash test's load: a cookie jar, no
/// redirect followed by itself, and every request marked with its own User-Agent
/// (<c>crash-test/{worker}.{n}</c>), which the server writes into the audit events it causes, so
/// that a completed request's event can be found again. A request that gets no complete answer
/// (the server was killed, or is not up) yields null: what it did on the server is unknown.
/// </summary>
public sealed partial class LoadClient : IDisposable
{
    /// <summary>The prefix of every User-Agent the load sends.</summary>
    public const string UserAgentPrefix = "crash-test/";

    private readonly HttpClient http;
    private readonly string worker;
    private readonly CrashLedger ledger;
    private int sent;

    public LoadClient(Uri baseAddress, string worker, CrashLedger ledger)
    {
        this.worker = worker;
        this.ledger = ledger;
        http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            BaseAddress = baseAddress,
            // Generous: a request the server is still working on must not be given up and counted lost.
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>The User-Agent of the last request sent.</summary>
    public string LastUserAgent { get; private set; } = string.Empty;

    /// <summary>Why the last unanswered request got no answer.</summary>
    public string LastFailure { get; private set; } = string.Empty;

    public Task<Answer?> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, pathAndQuery, form: null);

    public Task<Answer?> PostAsync(string path, IDictionary<string, string> form) => SendAsync(HttpMethod.Post, path, form);

    /// <summary>Posts a page's form with the antiforgery token the page carries.</summary>
    public Task<Answer?> SubmitAsync(string path, string pageHtml, IDictionary<string, string> fields)
    {
        var form = new Dictionary<string, string>(fields);
        if (AntiforgeryField().Match(pageHtml) is { Success: true } token)
        {
            form["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        }

        return PostAsync(path, form);
    }

    /// <summary>The login page's return URL (the authorization request to go back to).</summary>
    public static string? ReturnUrl(string loginPageHtml) =>
        ReturnUrlField().Match(loginPageHtml) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;

    public void Dispose() => http.Dispose();

    private async Task<Answer?> SendAsync(HttpMethod method, string pathAndQuery, IDictionary<string, string>? form)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        LastUserAgent = $"{UserAgentPrefix}{worker}.{++sent}";
        request.Headers.TryAddWithoutValidation("User-Agent", LastUserAgent);
        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        ledger.Sending();
        Answer? answer = null;
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var location = response.Headers.Location is { } l ? (l.IsAbsoluteUri ? l : new Uri(http.BaseAddress!, l)) : null;
            answer = new Answer(response.StatusCode, location, body);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            // No complete answer: the caller does not know what the server did.
            LastFailure = $"{e.GetType().Name}: {e.Message}" + (e.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : string.Empty);
        }
        finally
        {
            ledger.Finished(answer is not null);
        }

        return answer;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"ReturnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlField();
}
