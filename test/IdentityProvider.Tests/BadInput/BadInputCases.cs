namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The endpoint table crossed with the input table: every endpoint's baseline, each applicable
/// input in each field, and the request-level inputs; each with its expectation resolved from the
/// field's rule, the endpoint's refusal, or the endpoint kind's answer to a hostile body.
/// </summary>
public static class BadInputCases
{
    public static IReadOnlyList<BadInputCase> All { get; } = Build();

    /// <summary>PostgreSQL: every baseline, and the inputs whose fate depends on the database (<see cref="HostileInput.OnPostgreSql"/>).</summary>
    public static IReadOnlyList<BadInputCase> PostgreSqlSubset { get; } =
        All.Where(c => c.Input is null || c.Input.OnPostgreSql).ToList();

    public static IEnumerable<TestCaseData> Sqlite() => All.Select(ToTestCase);

    public static IEnumerable<TestCaseData> PostgreSql() => PostgreSqlSubset.Select(ToTestCase);

    /// <summary>SQL Server: the PostgreSQL subset, for the same reasons (its text types, indexes and parser are its own).</summary>
    public static IEnumerable<TestCaseData> SqlServer() => PostgreSqlSubset.Select(ToTestCase);

    private static TestCaseData ToTestCase(BadInputCase c) => new TestCaseData(c).SetName(c.Name);

    private static List<BadInputCase> Build()
    {
        var cases = new List<BadInputCase>();
        foreach (var endpoint in BadInputTable.Endpoints)
        {
            cases.Add(new BadInputCase(endpoint, null, null, endpoint.Answers));
            foreach (var field in endpoint.Fields)
            {
                foreach (var input in HostileInputs.ForFields.Where(i => i.AppliesTo(field)))
                {
                    cases.Add(new BadInputCase(endpoint, field, input, Resolve(endpoint, FieldRule(endpoint, field, input))));
                }
            }

            foreach (var input in RequestInputs(endpoint))
            {
                cases.Add(new BadInputCase(endpoint, null, input, Resolve(endpoint, endpoint.RequestRule?.Invoke(input) ?? KindAnswer(endpoint, input))));
            }
        }

        return cases;
    }

    private static IEnumerable<HostileInput> RequestInputs(BadInputEndpoint endpoint)
    {
        yield return HostileInputs.UnknownParameter;
        if (endpoint.TestsWrongMethod)
        {
            yield return HostileInputs.WrongMethod;
        }

        if (endpoint.Body != BodyKind.None)
        {
            yield return HostileInputs.OneMegabyteBody;
            yield return HostileInputs.TextPlainBody;
        }

        if (endpoint.Body == BodyKind.Form)
        {
            yield return HostileInputs.Multipart;
        }

        foreach (var extra in endpoint.ExtraInputs)
        {
            yield return extra;
        }
    }

    /// <summary>
    /// Some inputs never reach a field's rule: bytes that are not UTF-8 and control characters in a
    /// form, and control characters in a query, are refused before anything reads them (400). In a
    /// JSON body invalid UTF-8 is refused before the fields are read, and NUL by every admin field.
    /// </summary>
    private static Expect FieldRule(BadInputEndpoint endpoint, Field field, HostileInput input) =>
        (field.Location, input.Name) switch
        {
            (FieldLocation.Form, "Nul" or "InvalidUtf8" or "Overlong") => Refused(endpoint.Kind, 400),
            (FieldLocation.Query, "Nul") => Refused(endpoint.Kind, 400),
            (FieldLocation.Json, "Nul" or "InvalidUtf8" or "Overlong") => Refused(endpoint.Kind, 400),
            _ => field.Rule?.Invoke(input) ?? endpoint.Refusal
                ?? throw new InvalidOperationException($"{endpoint}: field {field.Name} has no rule for {input.Name} and the endpoint no refusal"),
        };

    private static Expect KindAnswer(BadInputEndpoint endpoint, HostileInput input) => input.Name switch
    {
        "UnknownParameter" => Expect.Baseline,
        "OneMegabyteBody" => Refused(endpoint.Kind, 413),
        "Multipart" => Refused(endpoint.Kind, 415),
        "TextPlainBody" => endpoint.Kind == EndpointKind.AdminApi ? Refused(endpoint.Kind, 415) : Refused(endpoint.Kind, 400),
        "WrongMethod" => endpoint.Kind switch
        {
            EndpointKind.AdminApi or EndpointKind.Page => Refused(endpoint.Kind, 405),
            EndpointKind.Static => new Expect(404, Answer.ErrorPage),
            _ => Refused(endpoint.Kind, 400),
        },
        _ => throw new InvalidOperationException($"{endpoint}: no answer for the request-level input {input.Name}"),
    };

    /// <summary>A refused request as the endpoint's kind answers it.</summary>
    public static Expect Refused(EndpointKind kind, int status) => kind switch
    {
        EndpointKind.OAuthJson or EndpointKind.Discovery => new Expect(status, Answer.OAuthError) { Error = "invalid_request" },
        EndpointKind.AdminApi => new Expect(status, Answer.Problem),
        _ => new Expect(status, Answer.ErrorPage),
    };

    private static Expect Resolve(BadInputEndpoint endpoint, Expect expect) =>
        expect.Answer == Answer.Baseline ? endpoint.Answers : expect;
}
