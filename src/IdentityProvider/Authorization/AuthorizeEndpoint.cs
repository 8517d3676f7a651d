using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// <c>/connect/authorize</c>: OpenIddict has validated the client, redirect URI, PKCE and scopes
/// before this runs; here we decide whether the session is good enough and issue the code.
/// </summary>
public static class AuthorizeEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context,
        IOptions<IdentityOptions> identity,
        OidcPrincipalFactory principals,
        ReauthenticationMarker markers,
        ConsentFlow consent,
        TimeProvider time)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        var session = await context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var facts = session.Succeeded ? SessionFacts.From(session.Principal) : null;
        // Read without tracking and without a UserManager (a dozen services built per request): the
        // user only fills the principal. A deleted user has no row, and the session counts for nothing.
        var user = facts is null
            ? null
            : await principals.FindUserAsync(session.Principal!.FindFirstValue(identity.Value.ClaimsIdentity.UserIdClaimType), context.RequestAborted);

        if (user is null || facts is null || NeedsFreshLogin(context, request, facts, markers, time))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return OidcResults.Forbid(Errors.LoginRequired, "The user must sign in.");
            }

            return Results.Challenge(
                new AuthenticationProperties { RedirectUri = RequestUrl(context, context.Request.Path, ReauthenticationMarker.Parameter, markers.Create(time.GetUtcNow())) },
                [IdentityConstants.ApplicationScheme]);
        }

        var principal = principals.Create(user, facts, request.GetScopes());
        var decision = await consent.DecideAsync(request, user, Parameter(context, ConsentMarker.Parameter), context.RequestAborted);
        if (decision.Result is { } interrupted)
        {
            return interrupted;
        }

        if (decision.AuthorizationId is { } authorizationId)
        {
            principal.SetAuthorizationId(authorizationId);
        }

        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary><c>prompt=login</c> and <c>max_age</c> (OIDC Core §3.1.2.1), unless satisfied since they were demanded.</summary>
    private static bool NeedsFreshLogin(HttpContext context, OpenIddictRequest request, SessionFacts facts, ReauthenticationMarker markers, TimeProvider time)
    {
        var demandedAt = markers.Read(Parameter(context, ReauthenticationMarker.Parameter));
        if (demandedAt is not null && facts.AuthenticatedAt >= demandedAt.Value.AddSeconds(-1))
        {
            return false;
        }

        if (request.HasPromptValue(PromptValues.Login))
        {
            return true;
        }

        // MaxAgeParameter refused anything but 0 … int.MaxValue seconds before this runs.
        return request.MaxAge is long maxAge && facts.AuthenticatedAt.AddSeconds(maxAge) < time.GetUtcNow();
    }

    /// <summary>
    /// The parameters of this request (a POSTed one as a query) at <paramref name="path"/>, with
    /// <paramref name="name"/> set to <paramref name="value"/> (or left out when null).
    /// </summary>
    public static string RequestUrl(HttpContext context, PathString path, string name, string? value)
    {
        IEnumerable<KeyValuePair<string, StringValues>> parameters = context.Request.HasFormContentType
            ? context.Request.Form
            : context.Request.Query;
        var query = new QueryBuilder(parameters
            .Where(p => p.Key != name)
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v ?? string.Empty))));
        if (value is not null)
        {
            query.Add(name, value);
        }

        return context.Request.PathBase + path + query.ToQueryString();
    }

    private static string? Parameter(HttpContext context, string name) =>
        context.Request.HasFormContentType ? context.Request.Form[name].FirstOrDefault() : context.Request.Query[name].FirstOrDefault();
}
