using Microsoft.AspNetCore;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// An invalid authorization request of a known client with a registered redirect URI goes back to
/// the client as <c>error</c>, <c>error_description</c>, <c>state</c> and <c>iss</c> (RFC 6749
/// §4.1.2.1, RFC 9207), in the requested response mode. OpenIddict shows every validation error
/// on our error page instead. What stays on our page: an unknown or missing client, a redirect URI
/// that is missing (unless the request names a pushed one by <c>request_uri</c>), malformed or not
/// registered (RFC 6749 §4.1.2.1 forbids redirecting those), and
/// a request whose <c>client_id</c>, <c>redirect_uri</c>, <c>state</c>, <c>response_mode</c> or
/// <c>response_type</c> is repeated or unusable — the client could not tell the answer was meant
/// for it, or how it is delivered.
/// </summary>
public sealed class AuthorizationErrorRedirect(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
{
    private static readonly string[] Addressing = [Parameters.ClientId, Parameters.RedirectUri, Parameters.State, Parameters.ResponseMode, Parameters.ResponseType];

    private static readonly string?[] UsableResponseModes = [null, ResponseModes.Query, ResponseModes.Fragment, ResponseModes.FormPost];

    /// <summary>After OpenIddict attached (or, for a validation error, did not attach) the redirect URI.</summary>
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseScopedHandler<AuthorizationErrorRedirect>()
            .SetOrder(OpenIddictServerHandlers.Authentication.AttachRedirectUri.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        if (string.IsNullOrEmpty(context.Response.Error) || !string.IsNullOrEmpty(context.RedirectUri)
            || context.Request is not { } request || context.Transaction.GetHttpRequest() is not { } http)
        {
            return;
        }

        IEnumerable<KeyValuePair<string, StringValues>> raw = HttpMethods.IsPost(http.Method) && http.HasFormContentType ? http.Form : http.Query;
        if (raw.Any(p => Addressing.Contains(p.Key, StringComparer.Ordinal) && p.Value.Count > 1)
            || !UsableResponseModes.Contains(SingleString(request, Parameters.ResponseMode)))
        {
            return;
        }

        // From PAR, the pushed (validated) parameters when the request_uri was good, else the raw ones.
        var clientId = SingleString(request, Parameters.ClientId);
        var requested = SingleString(request, Parameters.RedirectUri);
        // Without a redirect_uri the client said nowhere to answer, and OpenIddict would take its only
        // registered URI; a PAR request_uri that no longer works is the exception: its redirect URI was
        // pushed, so the registered one is where the client expects its answer.
        var missing = requested is null && SingleString(request, Parameters.RequestUri) is null;
        if (string.IsNullOrEmpty(clientId) || missing || (requested is not null && !IsUsableRedirectUri(requested))
            || await applications.FindByClientIdAsync(clientId, context.CancellationToken) is not { } application)
        {
            return;
        }

        context.RedirectUri = await LoopbackRedirectUris.ResolveAsync(applications, application, requested, context.CancellationToken);
    }

    private static string? SingleString(OpenIddictRequest request, string name) =>
        request.GetParameter(name) is { } parameter ? (string?)parameter : null;

    /// <summary>OpenIddict's own syntax rules for redirect_uri (absolute, no fragment, no <c>iss</c> of its own).</summary>
    private static bool IsUsableRedirectUri(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && !uri.IsFile && string.IsNullOrEmpty(uri.Fragment)
        && !Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query).ContainsKey(Parameters.Iss);
}
