namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// One row of the endpoint table: a method and path (a route template for the admin API), its kind,
/// how to make a valid request (<see cref="Baseline"/>, and what that gets: <see cref="Answers"/>),
/// the fields it takes with their rules, and what a refused request gets when a field has no rule
/// of its own (<see cref="Refusal"/>). <see cref="Variant"/> tells two rows of one path apart
/// (the token endpoint's grants, authorization with and without a session).
/// </summary>
public sealed record BadInputEndpoint(string Method, string Path, EndpointKind Kind)
{
    public string? Variant { get; init; }

    public required Func<BadInputWorld, Task<BadInputRequest>> Baseline { get; init; }

    public required Expect Answers { get; init; }

    /// <summary>A bad value in a field without a rule of its own.</summary>
    public Expect? Refusal { get; init; }

    public IReadOnlyList<Field> Fields { get; init; } = [];

    /// <summary>Request-level inputs beyond the usual ones (another path under a static folder).</summary>
    public IReadOnlyList<HostileInput> ExtraInputs { get; init; } = [];

    /// <summary>Overrides for the request-level inputs (the kind's answer otherwise).</summary>
    public Func<HostileInput, Expect?>? RequestRule { get; init; }

    /// <summary>The row that carries the path's wrong-method case (one per path).</summary>
    public bool TestsWrongMethod { get; init; }

    /// <summary>A form or JSON body, so the body-level inputs apply.</summary>
    public BodyKind Body { get; init; }

    /// <summary><c>Post_AccountLogin</c>, <c>Get_ConnectAuthorize_PromptNone</c>.</summary>
    public string DisplayName =>
        Field.Pascal(Method.ToLowerInvariant()) + "_" + Field.Pascal(Path) + (Variant is null ? string.Empty : "_" + Variant);

    public override string ToString() => $"{Method} {Path}{(Variant is null ? string.Empty : " (" + Variant + ")")}";
}
