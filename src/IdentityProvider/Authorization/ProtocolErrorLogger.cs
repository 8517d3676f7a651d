using OpenIddict.Server;

namespace IdentityProvider.Authorization;

/// <summary>
/// Logs, once and at Warning, every protocol request OpenIddict or our endpoints rejected, with the
/// client and the reason (never the tokens or codes themselves). OpenIddict's own logs of this are
/// at Information, among every routine step of every request.
/// </summary>
public sealed partial class ProtocolErrorLogger<TContext>(ILogger<ProtocolErrorLogger<TContext>> logger) : IOpenIddictServerHandler<TContext>
    where TContext : OpenIddictServerEvents.BaseRequestContext
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
            .UseScopedHandler<ProtocolErrorLogger<TContext>>()
            .SetOrder(int.MinValue + 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(TContext context)
    {
        if (context.Transaction.Response?.Error is { } error)
        {
            LogRejected(logger, context.EndpointType, error, context.Transaction.Response.ErrorDescription, context.Transaction.Request?.ClientId);
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Endpoint} request rejected: {Error} ({Description}); client_id {ClientId}")]
    private static partial void LogRejected(ILogger logger, OpenIddictServerEndpointType endpoint, string error, string? description, string? clientId);
}
