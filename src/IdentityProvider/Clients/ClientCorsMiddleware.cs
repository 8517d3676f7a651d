using System.Collections.Frozen;
using IdentityProvider.Common;
using IdentityProvider.Persistence;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;

namespace IdentityProvider.Clients;

/// <summary>
/// CORS (Fetch standard §3.2) for browser apps, on the endpoints they call and nowhere else:
/// discovery and JWKS for any origin (they are public); token, revocation and userinfo only for an
/// origin a registered client lists (<c>clients add --allowed-origin</c>). A token or revocation
/// request that names its client (<c>client_id</c> or HTTP Basic) is allowed only that client's
/// origins, so an origin registered for one client cannot read another's responses. Never with
/// credentials: no endpoint here reads cookies, so <c>Access-Control-Allow-Credentials</c> is never sent.
/// </summary>
/// <remarks>
/// A small middleware rather than ASP.NET Core's CORS policies: the client a token request names is
/// known only once OpenIddict has read the form, so the answer is decided when the response starts,
/// without reading the body a second time ahead of the form limits.
/// </remarks>
public sealed partial class ClientCorsMiddleware(
    RequestDelegate next,
    ApplicationCache cache,
    TimeProvider time,
    IOptionsMonitor<OpenIddictServerOptions> server,
    ILogger<ClientCorsMiddleware> logger)
{
    private const string AllowedHeaders = "Authorization, Content-Type";

    /// <summary>Short, so that a removed origin stops working within minutes in browsers that cached a preflight.</summary>
    private static readonly string PreflightMaxAge = ((int)TimeSpan.FromMinutes(10).TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly AllowedOriginIndex index = new(cache, time);

    // The endpoint paths are OpenIddict's options, read at the first request rather than while the pipeline is built.
    private readonly Lazy<FrozenDictionary<string, CorsEndpoint>> endpoints = new(() => MapEndpoints(server.CurrentValue));

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Origin is not [{ Length: > 0 } origin] || !endpoints.Value.TryGetValue(request.Path.Value ?? string.Empty, out var endpoint))
        {
            return next(context);
        }

        if (HttpMethods.IsOptions(request.Method) && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod))
        {
            return PreflightAsync(context, endpoint, origin);
        }

        context.Response.OnStarting(() => ApplyAsync(context, endpoint, origin));
        return next(context);
    }

    /// <summary>Answered here (OpenIddict would refuse OPTIONS); before the request, its client is unknown, so any client's origin passes.</summary>
    private async Task PreflightAsync(HttpContext context, CorsEndpoint endpoint, string origin)
    {
        var response = context.Response;
        if (endpoint.Audience == Audience.Anyone || await IsAllowedAsync(context, endpoint, origin, clientId: null))
        {
            response.Headers.AccessControlAllowOrigin = endpoint.Audience == Audience.Anyone ? "*" : origin;
            response.Headers.AccessControlAllowMethods = endpoint.Methods;
            response.Headers.AccessControlAllowHeaders = AllowedHeaders;
            response.Headers.AccessControlMaxAge = PreflightMaxAge;
        }

        if (endpoint.Audience != Audience.Anyone)
        {
            response.Headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        }

        response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task ApplyAsync(HttpContext context, CorsEndpoint endpoint, string origin)
    {
        var headers = context.Response.Headers;
        if (endpoint.Audience == Audience.Anyone)
        {
            headers.AccessControlAllowOrigin = "*";
            return;
        }

        headers.Append(HeaderNames.Vary, HeaderNames.Origin);
        // OpenIddict has the client_id from the form or from HTTP Basic by now (null if it refused the request before).
        var clientId = endpoint.Audience == Audience.NamedClient ? context.GetOpenIddictServerRequest()?.ClientId : null;
        if (await IsAllowedAsync(context, endpoint, origin, clientId))
        {
            headers.AccessControlAllowOrigin = origin;
            // So that the app can read why userinfo refused its token (RFC 6750 §3).
            headers.AccessControlExposeHeaders = HeaderNames.WWWAuthenticate;
        }
    }

    private async Task<bool> IsAllowedAsync(HttpContext context, CorsEndpoint endpoint, string origin, string? clientId)
    {
        var applications = context.RequestServices.GetRequiredService<IOpenIddictApplicationManager>();
        try
        {
            bool allowed;
            if (string.IsNullOrEmpty(clientId))
            {
                allowed = await index.ContainsAsync(origin, applications, context.RequestAborted);
            }
            else
            {
                var application = await applications.FindByClientIdAsync(clientId, context.RequestAborted);
                allowed = application is not null &&
                    ClientSettings.Origins(await applications.GetSettingsAsync(application, context.RequestAborted)).Contains(origin, StringComparer.Ordinal);
            }

            if (!allowed)
            {
                LogRefused(logger, OperatorInput.Quote(origin), context.Request.Path, clientId is null ? "any client" : OperatorInput.Quote(clientId));
            }

            return allowed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without the header the browser keeps the answer from the app; the answer itself stands.
            LogLookupFailed(logger, context.Request.Path, e);
            return false;
        }
    }

    private static FrozenDictionary<string, CorsEndpoint> MapEndpoints(OpenIddictServerOptions options)
    {
        var map = new Dictionary<string, CorsEndpoint>(StringComparer.OrdinalIgnoreCase);
        void Add(IEnumerable<Uri> uris, Audience audience, string methods)
        {
            foreach (var uri in uris)
            {
                map[uri.IsAbsoluteUri ? uri.AbsolutePath : "/" + uri.OriginalString.TrimStart('/')] = new CorsEndpoint(audience, methods);
            }
        }

        Add(options.ConfigurationEndpointUris, Audience.Anyone, HttpMethods.Get);
        Add(options.JsonWebKeySetEndpointUris, Audience.Anyone, HttpMethods.Get);
        Add(options.TokenEndpointUris, Audience.NamedClient, HttpMethods.Post);
        Add(options.RevocationEndpointUris, Audience.NamedClient, HttpMethods.Post);
        Add(options.UserInfoEndpointUris, Audience.AnyClient, $"{HttpMethods.Get}, {HttpMethods.Post}");
        return map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CORS: origin {Origin} is not allowed at {Path} for {Client}; no Access-Control-Allow-Origin.")]
    private static partial void LogRefused(ILogger logger, string origin, string path, string client);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CORS: the allowed origins could not be read for {Path}; answered without Access-Control-Allow-Origin.")]
    private static partial void LogLookupFailed(ILogger logger, string path, Exception exception);

    private enum Audience
    {
        /// <summary>Public documents: any origin, <c>*</c>.</summary>
        Anyone,

        /// <summary>An origin some client lists.</summary>
        AnyClient,

        /// <summary>An origin the client named by the request lists (any client's, when it names none).</summary>
        NamedClient,
    }

    private sealed record CorsEndpoint(Audience Audience, string Methods);
}
