namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The endpoint table of the bad-input suite: every endpoint and page the server answers, how to
/// make a valid request to it, the fields it takes, and what a hostile value in each must get.
/// <c>MappedEndpointsTests</c> fails when the server answers a path this table lacks (or the table
/// names one that is gone). How to add a row: <c>README.md</c> in this folder.
/// </summary>
public static partial class BadInputTable
{
    // Built on first use: the rows use the shared fields below, which the partial files initialize in no set order.
    private static readonly Lazy<IReadOnlyList<BadInputEndpoint>> Rows = new(() => [.. Pages(), .. Protocol(), .. AdminApi(), .. Metadata()]);

    public static IReadOnlyList<BadInputEndpoint> Endpoints => Rows.Value;

    private static Expect Baseline => Expect.Baseline;

    private static Expect ErrorPage(int status = 400) => new(status, Answer.ErrorPage);

    private static Expect PageShowing(string marker) => new(200, Answer.Page) { Marker = marker };

    /// <summary>The form again (200) with its errors: the right answer to a bad value typed into a page's form.</summary>
    private static Expect FormAgain(string marker) => new(200, Answer.FieldError) { Marker = marker };

    private static Expect LinkProblem(int status = 404) => new(status, Answer.LinkProblem);

    private static Expect RedirectTo(string location, string? error = null) => new(302, Answer.Redirect) { Location = location, Error = error };

    private static Expect OAuth(string error, int status = 400) => new(status, Answer.OAuthError) { Error = error };

    private static Expect Problem(int status) => new(status, Answer.Problem);

    private static Expect JsonDocument(int status = 200) => new(status, Answer.Json);

    /// <summary>
    /// A field's rule: <paramref name="otherwise"/>, except for the inputs named — by input name
    /// (<c>Missing</c>, <c>XssScript</c>) or by class (<c>Xss</c>, <c>OpenRedirect</c>, <c>Sql</c>).
    /// </summary>
    private static Func<HostileInput, Expect> Rule(Expect otherwise, params (string When, Expect Then)[] cases) =>
        input => cases.FirstOrDefault(c => c.When == input.Name).Then
            ?? cases.FirstOrDefault(c => c.When == input.Class.ToString()).Then
            ?? otherwise;

    private static Field Query(string name, Func<HostileInput, Expect>? rule = null, bool redirect = false) =>
        new(name, FieldLocation.Query) { Rule = rule, IsRedirect = redirect };

    private static Field Form(string name, Func<HostileInput, Expect>? rule = null, bool redirect = false) =>
        new(name, FieldLocation.Form) { Rule = rule, IsRedirect = redirect };

    private static Field Route(string name, Func<HostileInput, Expect>? rule = null) =>
        new(name, FieldLocation.Route) { Rule = rule };

    private static Field Json(string name, Func<HostileInput, Expect>? rule = null, JsonKind kind = JsonKind.String, bool redirect = false) =>
        new(name, FieldLocation.Json) { Rule = rule, Json = kind, IsRedirect = redirect };

    /// <summary>The antiforgery field of a page form: anything but the token the page gave is 400.</summary>
    private static Field Antiforgery { get; } = Form("__RequestVerificationToken", Rule(ErrorPage()));
}
