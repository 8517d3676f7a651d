using System.Text.RegularExpressions;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// A field an endpoint takes, and what it must answer to each hostile input in it
/// (<see cref="Rule"/>; without one, the endpoint's refusal). The hostile value replaces the
/// field's value (after <see cref="Prefix"/>: <c>Bearer </c> for a token in a header).
/// </summary>
public sealed partial record Field(string Name, FieldLocation Location)
{
    /// <summary>A URL the server redirects to or registers: open-redirect inputs apply.</summary>
    public bool IsRedirect { get; init; }

    public JsonKind Json { get; init; } = JsonKind.String;

    public string Prefix { get; init; } = string.Empty;

    public Func<HostileInput, Expect>? Rule { get; init; }

    /// <summary>The name in a test name: <c>Input.Email</c> → <c>Email</c>, <c>redirect_uri</c> → <c>RedirectUri</c>.</summary>
    public string DisplayName => Pascal(Name.StartsWith("Input.", StringComparison.Ordinal) ? Name["Input.".Length..] : Name);

    internal static string Pascal(string text) =>
        string.Concat(Words().Matches(text).Select(m => char.ToUpperInvariant(m.Value[0]) + m.Value[1..]));

    [GeneratedRegex("[A-Za-z0-9]+")]
    private static partial Regex Words();
}
