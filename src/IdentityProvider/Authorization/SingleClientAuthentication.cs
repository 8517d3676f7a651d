using Microsoft.AspNetCore;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// A client authenticates with one method (RFC 6749 §2.3). OpenIddict already refuses HTTP Basic
/// together with a <c>client_secret</c> or <c>client_assertion</c> in the body, but lets the Basic
/// credentials silently replace a different <c>client_id</c> in the body: the request was answered
/// for the Basic client. Such a request is refused.
/// </summary>
public sealed class SingleClientAuthentication<TContext> : IOpenIddictServerHandler<TContext>
    where TContext : BaseValidatingContext
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<SingleClientAuthentication<TContext>>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractBasicAuthenticationCredentials<TContext>.Descriptor.Order + 100)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        if (context.IsRejected || context.Transaction.GetHttpRequest() is not { } http || !http.HasFormContentType)
        {
            return default;
        }

        var basic = http.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);
        var bodyClientId = http.Form[Parameters.ClientId].ToString();
        if (basic && bodyClientId.Length > 0 && !string.Equals(bodyClientId, context.Transaction.Request?.ClientId, StringComparison.Ordinal))
        {
            context.Reject(Errors.InvalidRequest, "The client_id in the body is not the client authenticated with HTTP Basic; use one method (RFC 6749 §2.3).");
        }

        return default;
    }
}
