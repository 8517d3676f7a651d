using Microsoft.AspNetCore;
using Microsoft.Extensions.Primitives;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// The raw parameters of every protocol request, checked before OpenIddict reads them: each at most
/// once (RFC 6749 §3.1, §3.2 — OpenIddict would merge repeats into an array and use one of them, so
/// <c>prompt=login&amp;prompt=login</c> would go unseen), each of a bounded length, and few parameters
/// this server does not know (PAR stores every parameter it gets). Credentials and tokens are
/// refused in URLs (RFC 6750 §2.3, RFC 9700 §4.3.2): <c>access_token</c> in the userinfo query,
/// secrets, codes and tokens in the query of the POST endpoints, and introspection by GET (RFC 7662
/// §2.1). Every refusal is <c>invalid_request</c>, before anything is stored.
/// </summary>
public sealed class RequestParameterLimits<TContext> : IOpenIddictServerHandler<TContext>
    where TContext : BaseValidatingContext
{
    /// <summary>A value longer than this is refused, except for the token-carrying parameters below.</summary>
    public const int MaxValueLength = 4 * 1024;

    /// <summary>Tokens, codes and assertions: signed and encrypted JWTs with their claims.</summary>
    public const int MaxTokenLength = 16 * 1024;

    /// <summary>Extensions a client may add that this server does not know (PAR keeps them with the request).</summary>
    public const int MaxUnknownParameters = 10;

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<RequestParameterLimits<TContext>>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<TContext>.Descriptor.Order + 100)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    private static readonly HashSet<string> TokenParameters = new(StringComparer.Ordinal)
    {
        Parameters.IdTokenHint, Parameters.ClientAssertion, Parameters.Request, Parameters.Code, Parameters.RefreshToken,
        Parameters.Token, Parameters.AccessToken, Parameters.SubjectToken, Parameters.ActorToken, Parameters.Assertion,
        ReauthenticationMarker.Parameter, ConsentMarker.Parameter,
    };

    private static readonly HashSet<string> KnownParameters = new(TokenParameters, StringComparer.Ordinal)
    {
        Parameters.ClientId, Parameters.ClientSecret, Parameters.ClientAssertionType, Parameters.RedirectUri,
        Parameters.ResponseType, Parameters.ResponseMode, Parameters.Scope, Parameters.State, Parameters.Nonce,
        Parameters.Prompt, Parameters.MaxAge, Parameters.Display, Parameters.UiLocales, Parameters.ClaimsLocales,
        Parameters.LoginHint, Parameters.AcrValues, Parameters.Claims, Parameters.RequestUri, Parameters.Registration,
        Parameters.CodeChallenge, Parameters.CodeChallengeMethod, Parameters.Resource, Parameters.Audience,
        Parameters.GrantType, Parameters.CodeVerifier, Parameters.Username, Parameters.Password, Parameters.TokenTypeHint,
        Parameters.PostLogoutRedirectUri, Parameters.DeviceCode, Parameters.SubjectTokenType, Parameters.ActorTokenType,
        Parameters.RequestedTokenType, "logout_hint",
        // The end-session confirmation form posts these back with the request.
        "idp_confirm", "__RequestVerificationToken",
    };

    /// <summary>What must never travel in a URL, where logs, proxies and the Referer keep it.</summary>
    private static readonly string[] Secrets =
    [
        Parameters.ClientSecret, Parameters.ClientAssertion, Parameters.Code, Parameters.CodeVerifier, Parameters.RefreshToken,
        Parameters.Token, Parameters.AccessToken, Parameters.Password, Parameters.Assertion, Parameters.SubjectToken,
    ];

    public ValueTask HandleAsync(TContext context)
    {
        if (context.IsRejected || context.Transaction.GetHttpRequest() is not { } http)
        {
            return default;
        }

        var problem = UrlProblem(context.EndpointType, http) ?? ParameterProblem(Raw(http));
        if (problem is not null)
        {
            context.Reject(Errors.InvalidRequest, problem);
        }

        return default;
    }

    private static IEnumerable<KeyValuePair<string, StringValues>> Raw(HttpRequest http) =>
        HttpMethods.IsPost(http.Method) && http.HasFormContentType ? http.Form : http.Query;

    private static string? UrlProblem(OpenIddictServerEndpointType endpoint, HttpRequest http)
    {
        switch (endpoint)
        {
            case OpenIddictServerEndpointType.UserInfo when http.Query.ContainsKey(Parameters.AccessToken):
                return "The access token is accepted in the Authorization header (or a POST body), never in the URL (RFC 6750 §2.3).";
            case OpenIddictServerEndpointType.Introspection when !HttpMethods.IsPost(http.Method):
                return "Introspection requests must use POST (RFC 7662 §2.1).";
            case OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.Introspection
                or OpenIddictServerEndpointType.Revocation or OpenIddictServerEndpointType.PushedAuthorization
                when Secrets.Any(http.Query.ContainsKey):
                return "Credentials, codes and tokens are accepted in the request body only, never in the URL (RFC 9700 §4.3.2).";
            default:
                return null;
        }
    }

    private static string? ParameterProblem(IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var unknown = 0;
        foreach (var (name, values) in parameters)
        {
            var known = KnownParameters.Contains(name);
            var shown = known ? $"'{name}' " : string.Empty;
            if (values.Count > 1)
            {
                return $"The {shown}parameter must not be included more than once (RFC 6749 §3.1).";
            }

            var limit = TokenParameters.Contains(name) ? MaxTokenLength : MaxValueLength;
            if (name.Length > 128 || values.ToString().Length > limit)
            {
                return $"The {shown}parameter is longer than this server accepts ({limit} characters).";
            }

            if (!known && ++unknown > MaxUnknownParameters)
            {
                return $"The request has more than {MaxUnknownParameters} parameters this server does not know.";
            }
        }

        return null;
    }
}
