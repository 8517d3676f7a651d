namespace IdentityProvider.Tests.BadInput;

/// <summary>Public documents and files: the same answer whatever the query; other paths 404.</summary>
public static partial class BadInputTable
{
    private static IEnumerable<BadInputEndpoint> Metadata()
    {
        foreach (var path in new[] { "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/.well-known/jwks" })
        {
            yield return new BadInputEndpoint("GET", path, EndpointKind.Discovery)
            {
                Baseline = _ => Task.FromResult(new BadInputRequest("GET", path)),
                Answers = JsonDocument(),
                TestsWrongMethod = true,
            };
        }

        // Served where AdminApi:OpenApi says so (the fixture turns it on, so that the table covers it).
        yield return new BadInputEndpoint("GET", "/openapi/{documentName}.json", EndpointKind.Discovery)
        {
            Baseline = _ => Task.FromResult(new BadInputRequest("GET", "/openapi/{documentName}.json").Route("documentName", "v1")),
            Answers = JsonDocument(),
            Fields = [Route("documentName", Rule(new Expect(404, Answer.Text), ("Missing", ErrorPage(404))))],
            TestsWrongMethod = true,
            RequestRule = input => input.Name == "WrongMethod" ? ErrorPage(405) : null,
        };

        // Another path than a file under wwwroot is 404 — a traversal never reaches the content root.
        foreach (var path in new[] { "/css/site.css", "/js/password-toggle.js" })
        {
            var folder = path[..path.LastIndexOf('/')];
            yield return new BadInputEndpoint("GET", path, EndpointKind.Static)
            {
                Baseline = _ => Task.FromResult(new BadInputRequest("GET", path)),
                Answers = new Expect(200, Answer.File),
                TestsWrongMethod = true,
                ExtraInputs =
                [
                    HostileInputs.StaticPath("EncodedTraversal", folder + "/..%2F..%2Fappsettings.json"),
                    HostileInputs.StaticPath("DotDotSegments", folder + "/%2e%2e/%2e%2e/appsettings.json"),
                    HostileInputs.StaticPath("BackslashTraversal", folder + "/..%5C..%5Cappsettings.json"),
                ],
                RequestRule = input => input.Name is "UnknownParameter" or "WrongMethod" ? null : ErrorPage(404),
            };
        }
    }
}
