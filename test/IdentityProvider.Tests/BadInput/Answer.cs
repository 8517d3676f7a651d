namespace IdentityProvider.Tests.BadInput;

/// <summary>The shape of an answer, checked by <see cref="ResponseChecks"/>.</summary>
public enum Answer
{
    /// <summary>Whatever the endpoint's valid baseline request gets: the input is data the endpoint takes as it is.</summary>
    Baseline,

    /// <summary>The Japanese (or, when asked, English) error page, <c>id="error-message"</c>.</summary>
    ErrorPage,

    /// <summary>A page (HTML) that shows the element <see cref="Expect.Marker"/>.</summary>
    Page,

    /// <summary>The form again, with a field error or an error summary in the page's language.</summary>
    FieldError,

    /// <summary>The page for a mailed link that does not work (<c>id="link-problem"</c>).</summary>
    LinkProblem,

    /// <summary>A redirect to <see cref="Expect.Location"/>; with <see cref="Expect.Error"/>, carrying that OAuth error.</summary>
    Redirect,

    /// <summary>A JSON OAuth error (RFC 6749 §5.2): <c>error</c>, equal to <see cref="Expect.Error"/> when given.</summary>
    OAuthError,

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c> (RFC 6750 §3), and no HTML.</summary>
    BearerChallenge,

    /// <summary>A JSON document (not an error).</summary>
    Json,

    /// <summary>RFC 9457 problem details: <c>application/problem+json</c> with <c>title</c> and <c>status</c>.</summary>
    Problem,

    /// <summary>A static file.</summary>
    File,

    /// <summary>Plain text (not HTML, so a browser shows it as text).</summary>
    Text,

    /// <summary>No body (204).</summary>
    Empty,
}
