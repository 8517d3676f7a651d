using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// What every answer of the table must show (issue 20, "The suite"): no 5xx, no stack trace or
/// internal detail, the expected status and shape, no hostile value shown back unencoded (in HTML,
/// in a Location, in any header), the page's language, only the allowed database changes, and one
/// warning at most in the log — never an error or an exception.
/// </summary>
public static partial class ResponseChecks
{
    /// <summary>The only hosts a redirect may name: the issuer, and the clients' registered URIs.</summary>
    private static readonly string[] AllowedOrigins = ["https://localhost", "http://127.0.0.1:7000"];

    public static void Assert(
        BadInputCase c,
        HttpResponseMessage response,
        string body,
        IReadOnlyDictionary<string, TableChange> changes,
        IReadOnlyList<LogCapture.LogLine> log)
    {
        var expect = c.Expect;
        var status = (int)response.StatusCode;
        var headers = response.Headers.Concat(response.Content.Headers).ToList();
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var shown = $"{c.Name}: expected {expect}; got {status} {mediaType} {response.Headers.Location}\n{Excerpt(body)}";

        using (NUnit.Framework.Assert.EnterMultipleScope())
        {
            NUnit.Framework.Assert.That(status, Is.LessThan(500), "never a 5xx — " + shown);
            NUnit.Framework.Assert.That(status, Is.EqualTo(expect.Status), "status — " + shown);
            NUnit.Framework.Assert.That(Leak().Match(body + "\n" + string.Join("\n", headers.SelectMany(h => h.Value))).Value, Is.Empty,
                "no stack trace, exception, file path or SQL in the answer — " + shown);

            // Headers: nothing injected, and a Location that is well-formed and stays on our origins.
            NUnit.Framework.Assert.That(headers.Select(h => h.Key), Has.None.EqualTo("X-Injected").IgnoreCase, "no header injected — " + shown);
            NUnit.Framework.Assert.That(headers.SelectMany(h => h.Value), Has.None.Contains("\r").And.None.Contains("\n"), "no CR or LF in a header — " + shown);
            NUnit.Framework.Assert.That(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) ? nosniff : [], Does.Contain("nosniff"), shown);
            CheckLocation(response, shown);

            if (mediaType == "text/html")
            {
                CheckHtml(body, c.English, shown);
            }

            CheckShape(expect, response, body, shown);

            foreach (var (table, change) in changes)
            {
                NUnit.Framework.Assert.That(expect.Changes.For(table).Allows(change), Is.True,
                    $"database: {table} {change}, allowed {expect.Changes.For(table)} — {shown}");
            }

            NUnit.Framework.Assert.That(log.Where(l => l.Level >= LogLevel.Error || l.Exception is not null).Select(Line), Is.Empty,
                "no error and no exception in the log — " + shown);
            if (expect != c.Endpoint.Answers)
            {
                // A refusal is logged once; an accepted request may log the security events it caused.
                NUnit.Framework.Assert.That(log.Count(l => l.Level == LogLevel.Warning), Is.LessThanOrEqualTo(1),
                    "a refusal is one warning line at most — " + string.Join("\n", log.Select(Line)));
            }
        }
    }

    private static void CheckLocation(HttpResponseMessage response, string shown)
    {
        if (response.Headers.Location is null)
        {
            return;
        }

        var raw = response.Headers.GetValues("Location").Single();
        NUnit.Framework.Assert.That(UnencodedInUrl().Match(raw).Value, Is.Empty, "the Location carries every value percent-encoded — " + shown);
        var target = new Uri(new Uri(IdpTestHost.InMemoryIssuer), raw);
        NUnit.Framework.Assert.That(AllowedOrigins, Does.Contain(target.GetLeftPart(UriPartial.Authority)),
            "a redirect never leaves the server and its clients' registered URIs — " + shown);
        if (!raw.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            NUnit.Framework.Assert.That(raw, Does.StartWith("/").And.Not.StartWith("//").And.Not.StartWith("/\\"), "a relative redirect is a local path — " + shown);
        }
    }

    private static void CheckHtml(string html, bool english, string shown)
    {
        NUnit.Framework.Assert.That(html, Does.Not.Contain(HostileInputs.XssScript)
            .And.Not.Contain("<img src=x onerror")
            .And.Not.Contain("\"><img"), "markup of the input is encoded — " + shown);
        NUnit.Framework.Assert.That(JavascriptAttribute().Match(html).Value, Is.Empty, "no javascript: URL in a link, form or source — " + shown);
        var main = MainElement().Match(html);
        if (!main.Success)
        {
            return;
        }

        var language = HtmlLanguage().Match(html).Groups[1].Value;
        var text = WebUtility.HtmlDecode(TagOrAttribute().Replace(main.Value, " "));
        if (english)
        {
            NUnit.Framework.Assert.That(language, Is.EqualTo("en"), "English when the browser asks — " + shown);
            NUnit.Framework.Assert.That(Japanese().Match(text).Value, Is.Empty, "an English page has no Japanese text — " + shown);
        }
        else
        {
            NUnit.Framework.Assert.That(language, Is.EqualTo("ja"), "Japanese by default — " + shown);
            NUnit.Framework.Assert.That(Japanese().IsMatch(text), Is.True, "the page speaks Japanese — " + shown);
        }
    }

    private static void CheckShape(Expect expect, HttpResponseMessage response, string body, string shown)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        switch (expect.Answer)
        {
            case Answer.ErrorPage:
                NUnit.Framework.Assert.That(body, Does.Contain("id=\"error-message\""), "the error page — " + shown);
                break;
            case Answer.Page:
                NUnit.Framework.Assert.That(mediaType, Is.EqualTo("text/html"), shown);
                NUnit.Framework.Assert.That(body, Does.Contain($"id=\"{expect.Marker}\""), "the page — " + shown);
                break;
            case Answer.FieldError:
                NUnit.Framework.Assert.That(body, Does.Contain($"id=\"{expect.Marker}\""), "the form again — " + shown);
                NUnit.Framework.Assert.That(body, Does.Contain("role=\"alert\""), "with an error — " + shown);
                break;
            case Answer.LinkProblem:
                NUnit.Framework.Assert.That(body, Does.Contain("id=\"link-problem\""), "the page of a link that does not work — " + shown);
                break;
            case Answer.Redirect:
                CheckRedirect(expect, response, shown);
                break;
            case Answer.OAuthError:
                NUnit.Framework.Assert.That(mediaType, Is.EqualTo("application/json"), "an OAuth error is JSON — " + shown);
                var error = Json(body, shown)?.TryGetProperty("error", out var e) == true ? e.GetString() : null;
                NUnit.Framework.Assert.That(error, expect.Error is null ? Is.Not.Null : Is.EqualTo(expect.Error), "the OAuth error — " + shown);
                break;
            case Answer.BearerChallenge:
                NUnit.Framework.Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Does.Contain("Bearer"), "a Bearer challenge — " + shown);
                NUnit.Framework.Assert.That(mediaType, Is.Not.EqualTo("text/html"), "an API answers no page — " + shown);
                if (expect.Error is not null)
                {
                    NUnit.Framework.Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain($"error=\"{expect.Error}\""), shown);
                }

                break;
            case Answer.Json:
                NUnit.Framework.Assert.That(mediaType, Is.EqualTo("application/json"), shown);
                NUnit.Framework.Assert.That(Json(body, shown) is { ValueKind: JsonValueKind.Object } document && document.TryGetProperty("error", out _), Is.False, "not an error — " + shown);
                break;
            case Answer.Problem:
                NUnit.Framework.Assert.That(mediaType, Is.EqualTo("application/problem+json"), "problem details — " + shown);
                var problem = Json(body, shown);
                NUnit.Framework.Assert.That(problem?.TryGetProperty("title", out _), Is.True, "with a title — " + shown);
                NUnit.Framework.Assert.That(problem?.TryGetProperty("status", out var s) == true ? s.GetInt32() : 0, Is.EqualTo(expect.Status), "and the status — " + shown);
                break;
            case Answer.Text:
                NUnit.Framework.Assert.That(mediaType, Is.EqualTo("text/plain"), shown);
                break;
            case Answer.File:
                NUnit.Framework.Assert.That(mediaType, Is.Not.EqualTo("text/html"), shown);
                break;
            case Answer.Empty:
                NUnit.Framework.Assert.That(body, Is.Empty, shown);
                break;
        }
    }

    private static void CheckRedirect(Expect expect, HttpResponseMessage response, string shown)
    {
        var location = response.Headers.Location;
        NUnit.Framework.Assert.That(location, Is.Not.Null, "a redirect — " + shown);
        if (location is null)
        {
            return;
        }

        var target = new Uri(new Uri(IdpTestHost.InMemoryIssuer), location);
        var wanted = new Uri(new Uri(IdpTestHost.InMemoryIssuer), expect.Location ?? "/");
        NUnit.Framework.Assert.That(target.GetLeftPart(UriPartial.Path), Is.EqualTo(wanted.GetLeftPart(UriPartial.Path)), "the redirect's target — " + shown);
        var parameters = QueryHelpers.ParseQuery(target.Query.Length > 1 ? target.Query : "?" + target.Fragment.TrimStart('#'));
        if (expect.Error is not null)
        {
            NUnit.Framework.Assert.That(parameters.TryGetValue("error", out var error) ? error.ToString() : null, Is.EqualTo(expect.Error), "the error at the client — " + shown);
            NUnit.Framework.Assert.That(parameters.TryGetValue("iss", out var iss) ? iss.ToString() : null, Is.EqualTo(IdpTestHost.InMemoryIssuer), "iss (RFC 9207) — " + shown);
        }
    }

    private static JsonElement? Json(string body, string shown)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            NUnit.Framework.Assert.Fail("not JSON — " + shown);
            return null;
        }
    }

    private static string Line(LogCapture.LogLine line) =>
        $"{line.Level} {line.Category}: {line.Message}{(line.Exception is null ? "" : $" — {line.Exception.GetType().Name}: {line.Exception.GetBaseException().Message}")}";

    private static string Excerpt(string body) => body.Length <= 1500 ? body : body[..1500] + "…";

    /// <summary>Exception types, stack frames, source paths, the server's file system, SQL and database errors.</summary>
    [GeneratedRegex(@"\b\w+Exception\b|\bat IdentityProvider\.|\bat (System|Microsoft|OpenIddict|Npgsql)\.|\.cs:line \d|/work/|/home/|/tmp/|[A-Z]:\\|App_Data|\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|SQLite Error|\bNpgsql\b|\bSQLSTATE\b|\bsyntax error at\b|\bDbUpdate|\bat Microsoft\.")]
    private static partial Regex Leak();

    /// <summary>Characters a URL carries only percent-encoded.</summary>
    [GeneratedRegex(@"[\s""<>\\^`{|}\x00-\x1F\x7F]|[^\x00-\x7F]")]
    private static partial Regex UnencodedInUrl();

    [GeneratedRegex(@"(href|src|action|formaction)\s*=\s*[""']?\s*javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex JavascriptAttribute();

    [GeneratedRegex(@"<main\b.*?</main>", RegexOptions.Singleline)]
    private static partial Regex MainElement();

    [GeneratedRegex(@"<html lang=""([^""]*)""")]
    private static partial Regex HtmlLanguage();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex TagOrAttribute();

    /// <summary>Hiragana, katakana, CJK ideographs.</summary>
    [GeneratedRegex(@"[\u3040-\u30FF\u4E00-\u9FFF]")]
    private static partial Regex Japanese();
}
