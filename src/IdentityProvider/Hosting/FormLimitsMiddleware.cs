using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace IdentityProvider.Hosting;

/// <summary>
/// Reads every form body once, within explicit limits, before anything else sees it (antiforgery,
/// the rate limiter, the pages, OpenIddict). A hostile body — too large, too many or too long
/// fields, invalid UTF-8, control characters such as NUL, multipart — is answered here with 400,
/// 413 or 415 and one warning line, instead of an exception deep in a page or in the database
/// (PostgreSQL refuses NUL in text). Everything after it gets the parsed form from
/// <see cref="IFormFeature"/>. Non-form bodies get Kestrel's limit lowered to
/// <see cref="MaxOtherBodyBytes"/>. The query string is held to the same rule on control
/// characters (its values reach the same lookups: a client_id, a scope), except at the admin API,
/// which refuses them itself naming the parameter.
/// </summary>
public sealed partial class FormLimitsMiddleware(RequestDelegate next, ILogger<FormLimitsMiddleware> logger)
{
    /// <summary>The largest form any page or protocol endpoint accepts; the largest legitimate one is a few KB.</summary>
    public const int MaxFormBodyBytes = 64 * 1024;

    /// <summary>JSON bodies (admin API) and anything else.</summary>
    public const int MaxOtherBodyBytes = 1024 * 1024;

    /// <summary>More fields than any of our forms has; OpenIddict's endpoints cap their own parameters further.</summary>
    public const int MaxFields = 100;

    public const int MaxKeyLength = 128;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task InvokeAsync(HttpContext context)
    {
        // A re-executed request (status code page, exception page) was checked the first time.
        if (context.Features.Get<IStatusCodeReExecuteFeature>() is not null || context.Features.Get<IExceptionHandlerFeature>() is not null)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        if (!request.Path.StartsWithSegments("/admin/api")
            && request.Query.Any(p => HasControlCharacter(p.Key) || p.Value.Any(v => v is not null && HasControlCharacter(v))))
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, "a query parameter contains a control character");
            return;
        }

        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (!request.HasFormContentType)
        {
            if (limit is { IsReadOnly: false } && (limit.MaxRequestBodySize is null || limit.MaxRequestBodySize > MaxOtherBodyBytes))
            {
                limit.MaxRequestBodySize = MaxOtherBodyBytes;
            }

            await next(context);
            return;
        }

        if (!request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType, "multipart bodies are not accepted");
            return;
        }

        if (request.ContentLength > MaxFormBodyBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "the body is larger than allowed");
            return;
        }

        if (limit is { IsReadOnly: false })
        {
            limit.MaxRequestBodySize = MaxFormBodyBytes;
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(request.Body, context.RequestAborted);
        }
        catch (BadHttpRequestException exception)
        {
            await RefuseAsync(context, exception.StatusCode, "the body could not be read");
            return;
        }

        if (body.Length > MaxFormBodyBytes)
        {
            await RefuseAsync(context, StatusCodes.Status413PayloadTooLarge, "the body is larger than allowed");
            return;
        }

        var (form, problem) = await ParseAsync(body, context.RequestAborted);
        if (form is null)
        {
            await RefuseAsync(context, StatusCodes.Status400BadRequest, problem!);
            return;
        }

        context.Features.Set<IFormFeature>(new FormFeature(new FormCollection(form)));
        request.Body = new MemoryStream(body, writable: false);
        await next(context);
    }

    private static async Task<byte[]> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxFormBodyBytes)
            {
                break;
            }
        }

        return buffer.ToArray();
    }

    private static async Task<(Dictionary<string, StringValues>? Form, string? Problem)> ParseAsync(byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            // Raw (not percent-encoded) bytes must be UTF-8; percent-encoded invalid sequences stay literal text.
            _ = StrictUtf8.GetCharCount(body);
            using var reader = new FormReader(new MemoryStream(body), Encoding.UTF8)
            {
                KeyLengthLimit = MaxKeyLength,
                ValueCountLimit = MaxFields,
                ValueLengthLimit = MaxFormBodyBytes,
            };
            var form = await reader.ReadFormAsync(cancellationToken);
            foreach (var (key, values) in form)
            {
                if (HasControlCharacter(key) || values.Any(v => v is not null && HasControlCharacter(v)))
                {
                    return (null, "a field contains a control character");
                }
            }

            return (form, null);
        }
        catch (DecoderFallbackException)
        {
            return (null, "the body is not UTF-8");
        }
        catch (InvalidDataException)
        {
            return (null, "the form exceeds a field limit");
        }
    }

    /// <summary>C0 controls other than tab, CR and LF (a textarea's line breaks).</summary>
    private static bool HasControlCharacter(string value) =>
        value.AsSpan().ContainsAnyInRange('\0', '\b') || value.AsSpan().ContainsAnyInRange('\v', '\f') || value.AsSpan().ContainsAnyInRange('\u000E', '\u001F');

    private async Task RefuseAsync(HttpContext context, int status, string reason)
    {
        LogRefused(logger, context.Request.Path, status, reason);
        context.Response.StatusCode = status;
        if (JsonProtocolEndpoints.Contains(context.Request.Path))
        {
            // An OAuth error (RFC 6749 §5.2), never a page, whatever the environment.
            context.Response.ContentType = "application/json;charset=UTF-8";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["error"] = "invalid_request",
                ["error_description"] = $"The request body was refused: {reason}.",
            }));
        }

        // Otherwise an empty body: the status code pages render the error page, or problem details
        // for the admin API.
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request at {Path} with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, PathString path, int status, string reason);
}
