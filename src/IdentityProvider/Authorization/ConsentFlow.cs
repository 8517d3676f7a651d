using IdentityProvider.Data;
using Microsoft.AspNetCore.Http.Extensions;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Authorization;

/// <summary>
/// Consent at the authorization endpoint, for clients registered with explicit consent (third
/// parties): a remembered decision covering the scopes lets the request go on; otherwise, or with
/// <c>prompt=consent</c>, the user is sent to the consent page (<c>prompt=none</c>:
/// <c>consent_required</c>, OIDC Core §3.1.2.6), which comes back with a <see cref="ConsentMarker"/>.
/// First-party clients (implicit consent) go on at once.
/// </summary>
public sealed class ConsentFlow(IOpenIddictApplicationManager applications, ConsentGrants grants, ConsentMarker markers)
{
    public const string PagePath = "/connect/consent";

    public async Task<ConsentDecision> DecideAsync(OpenIddictRequest request, ApplicationUser user, string? marker, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("The client application cannot be found.");
        if (!await grants.IsRequiredAsync(application, cancellationToken))
        {
            return ConsentDecision.NotNeeded;
        }

        var answer = markers.Read(marker, user.Id, request.ClientId);
        if (answer == false)
        {
            return new(OidcResults.Forbid(Errors.AccessDenied, "The user did not allow this client."), null);
        }

        var authorizationId = await grants.FindAsync(user.Id, application, request.GetScopes(), cancellationToken);
        var forced = request.HasPromptValue(PromptValues.Consent) && answer != true;
        if (authorizationId is not null && !forced)
        {
            return new(null, authorizationId);
        }

        if (request.HasPromptValue(PromptValues.None))
        {
            return new(OidcResults.Forbid(Errors.ConsentRequired, "The user has not allowed this client yet."), null);
        }

        return new(Results.Redirect(PageUrl(request)), null);
    }

    /// <summary>
    /// The consent page with the request's effective parameters (for PAR, the pushed ones), which
    /// the page shows and posts back to the authorization endpoint — without the request_uri, which
    /// may expire (90 s) while the user reads the page; the endpoint validates them all again.
    /// </summary>
    private static string PageUrl(OpenIddictRequest request)
    {
        var query = new QueryBuilder();
        foreach (var (name, value) in request.GetParameters())
        {
            if (name is not (ConsentMarker.Parameter or Parameters.RequestUri) && (string?)value is { } single)
            {
                query.Add(name, single);
            }
        }

        return PagePath + query.ToQueryString();
    }
}
