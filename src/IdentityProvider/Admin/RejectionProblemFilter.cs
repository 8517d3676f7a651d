using IdentityProvider.Common;

namespace IdentityProvider.Admin;

/// <summary>
/// Turns a rejected operator request into RFC 9457 problem details, logged once; an unexpected
/// failure too (a 500 without details), rather than the HTML error page the site shows browsers.
/// </summary>
public sealed partial class RejectionProblemFilter(ILogger<RejectionProblemFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (RequestRejectedException rejected)
        {
            LogRejected(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, rejected.Message);
            var (status, title) = rejected.Kind switch
            {
                RejectionKind.NotFound => (StatusCodes.Status404NotFound, "Not found"),
                RejectionKind.Conflict => (StatusCodes.Status409Conflict, "Conflict"),
                RejectionKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "Content too large"),
                RejectionKind.UnsupportedMediaType => (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"),
                _ => (StatusCodes.Status400BadRequest, "Invalid request"),
            };
            // The field lets automation show the refusal beside the input it is about.
            var extensions = rejected.Field is null ? null : new Dictionary<string, object?> { ["field"] = rejected.Field };
            return TypedResults.Problem(detail: rejected.Message, statusCode: status, title: title, extensions: extensions);
        }
        catch (Exception unexpected) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            LogFailed(logger, context.HttpContext.Request.Method, context.HttpContext.Request.Path, unexpected);
            return TypedResults.Problem(
                detail: "The request failed unexpectedly; the server log has the details.",
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Unexpected error");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin API {Method} {Path} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, string path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Admin API {Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, string method, string path, Exception exception);
}
