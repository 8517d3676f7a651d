using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IdentityProvider.Common;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Admin;

/// <summary>
/// Reads the JSON body of an admin API request, refusing with a <see cref="RequestRejectedException"/>
/// (so: problem details, logged once, nothing written) what minimal-API binding would answer with a
/// bare 400 or take silently: a body over <see cref="MaxBytes"/> (413), another media type (415),
/// malformed JSON, a field the operation does not know or given twice, a missing required field,
/// a null where a value is needed, a value of the wrong type. Each message names the JSON field.
/// </summary>
public sealed class AdminJsonBody(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>Far above the largest valid registration (three lists of 20 URIs of 2,000 characters).</summary>
    public const int MaxBytes = 256 * 1024;

    private readonly JsonSerializerOptions options = json.Value.SerializerOptions;

    public async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw RequestRejectedException.UnsupportedMediaType(
                $"send the body as JSON (Content-Type: application/json), not {OperatorInput.Quote(request.ContentType ?? "no Content-Type")}.");
        }

        if (request.ContentLength > MaxBytes || await ReadBoundedAsync(request.Body, cancellationToken) is not { } body)
        {
            throw RequestRejectedException.TooLarge($"the body is larger than {MaxBytes / 1024} KiB.");
        }

        using var document = Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw RequestRejectedException.Invalid($"the body must be a JSON object, not {Article(root.ValueKind)}.");
        }

        var type = options.GetTypeInfo(typeof(T));
        CheckFields(root, type);
        try
        {
            return root.Deserialize<T>(options) ?? throw RequestRejectedException.Invalid("the body must be a JSON object.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            // Wrong types, unknown enum names, strings that are not UTF-8: the path names the field.
            var property = PropertyAt((e as JsonException)?.Path, type);
            throw property is null
                ? RequestRejectedException.Invalid("the body does not match the operation's fields.")
                : RequestRejectedException.Invalid(property.Name, $"expected {Expected(property.PropertyType)}.");
        }
    }

    /// <summary>Null when the body is longer than <see cref="MaxBytes"/> (a chunked body has no Content-Length to check first).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static JsonDocument Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            throw RequestRejectedException.Invalid("the body is empty: send a JSON object.");
        }

        // The reader checks UTF-8 only where it decodes a string, which would blame a field's type.
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            throw RequestRejectedException.Invalid("the body is not valid UTF-8.");
        }

        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw RequestRejectedException.Invalid($"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
    }

    /// <summary>Every field known and given once, none null that needs a value, every required one present.</summary>
    private void CheckFields(JsonElement root, JsonTypeInfo type)
    {
        var comparer = options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var known = type.Properties.ToDictionary(p => p.Name, comparer);
        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in root.EnumerateObject())
        {
            if (!known.TryGetValue(field.Name, out var property))
            {
                var shown = field.Name.Length <= 64 && OperatorInput.FirstHiddenControl(field.Name) is null ? field.Name : OperatorInput.Quote(field.Name);
                throw RequestRejectedException.Invalid(shown, $"unknown field; the fields are {string.Join(", ", type.Properties.Select(p => p.Name))}.");
            }

            if (!given.Add(property.Name))
            {
                throw RequestRejectedException.Invalid(property.Name, "given more than once.");
            }

            // An optional list or text may be null for "not given"; a required field or a value (true/false, a plan) may not.
            if (field.Value.ValueKind == JsonValueKind.Null && (property.IsRequired || (property.PropertyType.IsValueType && !property.IsSetNullable)))
            {
                throw RequestRejectedException.Invalid(property.Name, $"must not be null: expected {Expected(property.PropertyType)}.");
            }
        }

        foreach (var missing in type.Properties.Where(p => p.IsRequired && !given.Contains(p.Name)))
        {
            throw RequestRejectedException.Invalid(missing.Name, $"is required: {Expected(missing.PropertyType)}.");
        }
    }

    /// <summary>The top-level property a JSON path such as <c>$.redirectUris[2]</c> is in.</summary>
    private static JsonPropertyInfo? PropertyAt(string? path, JsonTypeInfo type)
    {
        if (path is null || !path.StartsWith("$.", StringComparison.Ordinal))
        {
            return null;
        }

        var name = path[2..].Split('.', '[')[0];
        return type.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }

        if (type != typeof(string) && type.IsAssignableTo(typeof(IEnumerable<string>)))
        {
            return "an array of strings";
        }

        return type == typeof(int) || type == typeof(long) ? "a number" : "a value of type " + type.Name;
    }

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
