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
/// The client's used and expired request tokens are deleted on its next push.
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
        var requests = db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Application!.ClientId == context.ClientId && t.Type == TokenTypeIdentifiers.Private.RequestToken);
        var held = await requests
            .GroupBy(t => 1)
            .Select(g => new
            {
                Rows = g.Count(),
                Pending = g.Count(t => t.Status == Statuses.Valid && t.ExpirationDate > now),
            })
            .FirstOrDefaultAsync(context.CancellationToken);

        // A used or expired request_uri is worth nothing, but its row holds the whole pushed request
        // until token pruning's retention (days): this client's are deleted here, so what one client
        // keeps stays within its quota of live requests.
        if (held is not null && held.Rows > held.Pending)
        {
            await requests
                .Where(t => t.Status != Statuses.Valid || t.ExpirationDate == null || t.ExpirationDate <= now)
                .ExecuteDeleteAsync(context.CancellationToken);
        }

        if (held is not null && held.Pending >= options.CurrentValue.PushedRequestsPerClient)
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
