using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Persistence;

/// <summary>The OpenIddict handlers that start, hold and flush a request's unit of work.</summary>
public sealed partial class OidcRequestWrites
{
    /// <summary>Starts deferring at the very beginning of a token request, before the token is validated.</summary>
    public sealed class StartTokenRequest : IOpenIddictServerHandler<ExtractTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
                .UseSingletonHandler<StartTokenRequest>()
                .SetOrder(int.MinValue)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ExtractTokenRequestContext context)
        {
            Of(context.Transaction)?.Begin();
            return default;
        }
    }

    /// <summary>
    /// Starts deferring when an authorization request signs in, before the authorization and the
    /// code are created: from here OpenIddict always goes on to apply a response, where the flush is.
    /// Earlier steps of the request (the login redirect, the session lookup) write nothing of ours.
    /// </summary>
    public sealed class StartAuthorizationSignIn : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseSingletonHandler<StartAuthorizationSignIn>()
                .SetOrder(int.MinValue)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.EndpointType == OpenIddictServerEndpointType.Authorization && Of(context.Transaction) is { Started: false } writes)
            {
                writes.Begin();
            }

            return default;
        }
    }

    /// <summary>
    /// Opens the connection once for a code or refresh-token request, which reads the token and the
    /// user and then writes; client credentials touch no database and keep none. Should the flush
    /// never run (an exception), the connection is closed when the response completes, before the
    /// request's services — the pooled context among them — are disposed.
    /// </summary>
    public sealed class HoldConnection : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<HoldConnection>()
                .SetOrder(int.MinValue)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            if (!context.Request.IsAuthorizationCodeGrantType() && !context.Request.IsRefreshTokenGrantType()
                || Of(context.Transaction) is not { Deferring: true, Held: null } writes
                || context.Transaction.GetHttpRequest()?.HttpContext is not { } http)
            {
                return;
            }

            writes.Held = await HeldConnection.OpenAsync(writes.Context, context.CancellationToken);
            http.Response.OnCompleted(static state => ((OidcRequestWrites)state).ReleaseConnectionAsync().AsTask(), writes);
        }
    }

    /// <summary>Writes a token request's deferred changes before anything of the response is decided or sent.</summary>
    public sealed partial class FlushTokenResponse(ILogger<FlushTokenResponse> logger) : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
                .UseSingletonHandler<FlushTokenResponse>()
                // Before OpenIddict normalises errors and our protocol-error log sees them.
                .SetOrder(int.MinValue + 50_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (Of(context.Transaction) is not { Deferring: true } writes)
            {
                return;
            }

            if (!await writes.FlushAsync(context.CancellationToken))
            {
                // Someone redeemed the same code or refresh token between our read and our write.
                LogLostRace(logger, context.Request?.GrantType);
                context.Response = new OpenIddictResponse
                {
                    Error = Errors.InvalidGrant,
                    ErrorDescription = "The specified token has already been redeemed.",
                };
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Token request ({GrantType}) lost the race for its code or refresh token; nothing was written, invalid_grant returned.")]
        private static partial void LogLostRace(ILogger logger, string? grantType);
    }

    /// <summary>
    /// Writes an authorization request's authorization and code in one transaction before the
    /// redirect carrying the code is built. An error response (the sign-in was refused after the
    /// authorization was created) carries no code: what it would have written is dropped. A failed
    /// write is an exception (the error page), and no code leaves.
    /// </summary>
    public sealed class FlushAuthorizationResponse : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
                .UseSingletonHandler<FlushAuthorizationResponse>()
                .SetOrder(int.MinValue + 50_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
        {
            if (Of(context.Transaction) is not { Deferring: true } writes)
            {
                return;
            }

            if (!string.IsNullOrEmpty(context.Response.Error))
            {
                writes.Context.ChangeTracker.Clear();
            }

            if (!await writes.FlushAsync(context.CancellationToken))
            {
                throw new InvalidOperationException("An authorization request's new rows met a concurrency conflict.");
            }
        }
    }
}
