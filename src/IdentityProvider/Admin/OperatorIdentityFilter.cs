using IdentityProvider.Audit;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace IdentityProvider.Admin;

/// <summary>
/// Tells the services who acts on an admin API request: the client of the access token (the
/// authorization policy has already required one), so the audit log names the automation that did it.
/// </summary>
public sealed class OperatorIdentityFilter(OperatorContext operatorContext) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var user = context.HttpContext.User;
        // Client-credentials tokens carry the client as client_id (RFC 9068 §2.2) and as sub (TokenEndpoint).
        var clientId = user.GetClaim(Claims.ClientId) ?? user.GetClaim(Claims.Subject);
        if (!string.IsNullOrEmpty(clientId))
        {
            operatorContext.Set(OperatorContext.ForClient(clientId));
        }

        return next(context);
    }
}
