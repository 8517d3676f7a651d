using System.Text.RegularExpressions;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The bad-input table covers everything the server answers: every route (Razor Pages with the
/// methods of their handlers, minimal APIs, the admin API) with its methods, every endpoint
/// OpenIddict serves itself (read from its options, so an endpoint type added later is seen), and
/// every folder of static files. A new endpoint without a row fails here, naming it; so does a
/// row whose endpoint is gone.
/// </summary>
[TestFixture]
public sealed partial class MappedEndpointsTests
{
    private IdpTestHost host = null!;

    [OneTimeSetUp]
    public async Task StartAsync() =>
        host = await IdpTestHost.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["AdminApi:OpenApi"] = "true" });

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    [Test]
    public void EveryRouteAndMethod_HasARow()
    {
        var rows = TableRows();

        var missing = Routes().Where(route => !rows.Contains(route)).Select(r => $"{r.Method} {r.Path}").ToList();

        Assert.That(missing, Is.Empty, "endpoints the server maps that BadInputTable lacks (add a row: BadInput/README.md)");
    }

    [Test]
    public void EveryEndpointOpenIddictServes_HasARow()
    {
        var paths = TableRows().Select(r => r.Path).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var missing = OpenIddictPaths().Where(path => !paths.Contains(path)).ToList();

        Assert.That(OpenIddictPaths(), Does.Contain("/connect/par").And.Contain("/.well-known/jwks"), "the endpoints are read from OpenIddict's options");
        Assert.That(missing, Is.Empty, "OpenIddict endpoints that BadInputTable lacks");
    }

    [Test]
    public void EveryStaticFolder_HasARow()
    {
        var covered = BadInputTable.Endpoints.Where(e => e.Kind == EndpointKind.Static).Select(e => Folder(e.Path)).ToHashSet(StringComparer.Ordinal);
        var contents = host.Services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider.GetDirectoryContents(string.Empty);

        var missing = contents.Select(item => "/" + item.Name).Where(folder => !covered.Contains(folder)).ToList();

        Assert.That(missing, Is.Empty, "folders under wwwroot without a static row");
    }

    [Test]
    public void EveryRow_NamesSomethingTheServerAnswers()
    {
        var routes = Routes().ToHashSet();
        var openIddict = OpenIddictPaths().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var files = host.Services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider;

        var gone = BadInputTable.Endpoints
            .Where(e => e.Kind == EndpointKind.Static
                ? !files.GetFileInfo(e.Path).Exists
                : !routes.Contains((e.Method, e.Path)) && !openIddict.Contains(e.Path))
            .Select(e => e.ToString())
            .ToList();

        Assert.That(gone, Is.Empty, "rows of BadInputTable for endpoints the server no longer answers");
    }

    [Test]
    public void CaseNames_AreUnique()
    {
        var repeated = BadInputCases.All.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.That(repeated, Is.Empty);
        Assert.That(BadInputCases.PostgreSqlSubset, Has.Count.LessThan(BadInputCases.All.Count));
    }

    private static HashSet<(string Method, string Path)> TableRows() =>
        BadInputTable.Endpoints.Select(e => (e.Method, e.Path)).ToHashSet();

    /// <summary>Every method and path routing answers, pages under their shortest path, with route constraints left out.</summary>
    private IEnumerable<(string Method, string Path)> Routes()
    {
        foreach (var endpoint in host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = Normalize(endpoint.RoutePattern.RawText ?? string.Empty);
            var page = endpoint.Metadata.GetMetadata<CompiledPageActionDescriptor>();
            var methods = page is not null
                ? page.HandlerMethods.Select(h => h.HttpMethod.ToUpperInvariant()).Append(HttpMethods.Get)
                : endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            foreach (var method in methods.Where(m => m != HttpMethods.Head).Distinct(StringComparer.Ordinal))
            {
                yield return (method, path);
            }
        }
    }

    /// <summary>The paths of every endpoint OpenIddict's server is configured with (every <c>…EndpointUris</c> option).</summary>
    private IReadOnlyList<string> OpenIddictPaths()
    {
        var options = host.Services.GetRequiredService<IOptionsMonitor<OpenIddictServerOptions>>().CurrentValue;
        return typeof(OpenIddictServerOptions).GetProperties()
            .Where(p => p.Name.EndsWith("EndpointUris", StringComparison.Ordinal) && typeof(IEnumerable<Uri>).IsAssignableFrom(p.PropertyType))
            .SelectMany(p => (IEnumerable<Uri>)p.GetValue(options)!)
            .Select(uri => Normalize(uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary><c>Account/ForgotPassword/Index</c> → <c>/Account/ForgotPassword</c>; <c>users/{id:guid}</c> → <c>/users/{id}</c>.</summary>
    private static string Normalize(string pattern)
    {
        var path = "/" + Constraint().Replace(pattern.Trim('/'), "{$1}");
        path = path.EndsWith("/Index", StringComparison.Ordinal) ? path[..^"/Index".Length] : path;
        return path is "/Index" or "" ? "/" : path;
    }

    private static string Folder(string path) => path[..path.IndexOf('/', 1)];

    [GeneratedRegex(@"\{(\w+):[^}]*\}")]
    private static partial Regex Constraint();
}
