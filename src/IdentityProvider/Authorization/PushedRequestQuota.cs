using Microsoft.AspNetCore;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// Bounds what one client may hold pending at PAR (RFC 9126): at most
/// <see cref="OidcOptions.PushedRequestsPerClient"/> unexpired request_uris. Over it the push is
/// refused with 429 and <c>Retry-After</c> (RFC 9126 §2.3 allows 429), and nothing is stored. A
/// public client's PAR needs no secret: without this anyone could grow the token table in its name.
/// </summary>
public sealed class PushedRequestQuota(IdpDbContext db, TimeProvider time, IOptionsMonitor<OidcOptions> options) :
    IOpenIddictServerHandler<ValidatePushedAuthorizationRequestContext>,
    IOpenIddictServerHandler<ApplyPushedAuthorizationResponseContext>
{
    private const string OverQuota = "idp:par_over_quota";

    /// <summary>After the client is authenticated and the request is otherwise valid.</summary>
    public static OpenIddictServerHandlerDescriptor ValidationDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidatePushedAuthorizationRequestContext>()
            .UseScopedHandler<PushedRequestQuota>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidatePushedAuthorizedParty.Descriptor.Order + 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static OpenIddictServerHandlerDescriptor ResponseDescriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyPushedAuthorizationResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseScopedHandler<PushedRequestQuota>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.AttachHttpResponseCode<ApplyPushedAuthorizationResponseContext>.Descriptor.Order + 100)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ValidatePushedAuthorizationRequestContext context)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var pending = await db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Application!.ClientId == context.ClientId
                && t.Type == TokenTypeIdentifiers.Private.RequestToken
                && t.Status == Statuses.Valid
                && t.ExpirationDate > now)
            .CountAsync(context.CancellationToken);
        if (pending >= options.CurrentValue.PushedRequestsPerClient)
        {
            context.Transaction.SetProperty<object>(OverQuota, true);
            context.Reject(Errors.InvalidRequest, "This client holds too many pending pushed authorization requests; use them or wait for them to expire.");
        }
    }

    public ValueTask HandleAsync(ApplyPushedAuthorizationResponseContext context)
    {
        if (context.Transaction.GetProperty<object>(OverQuota) is true && context.Transaction.GetHttpRequest() is { } http)
        {
            http.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            http.HttpContext.Response.Headers.RetryAfter = "90";
        }

        return default;
    }
}
