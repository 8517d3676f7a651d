using System.Net.Http.Headers;
using System.Text;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// A request of the table, built from a valid baseline and then changed by one hostile input: its
/// fields stay separate until <see cref="ToHttpRequest"/>, so that an input can remove, repeat or
/// replace one of them and send bytes that no well-behaved client would.
/// </summary>
public sealed class BadInputRequest(string method, string path)
{
    public string Method { get; set; } = method;

    /// <summary>The path, with <c>{name}</c> placeholders for the route fields.</summary>
    public string Path { get; set; } = path;

    public List<RequestField> Fields { get; } = [];

    /// <summary>Send a form body (even with no fields).</summary>
    public bool IsForm { get; set; }

    /// <summary>Send a JSON object body (even with no fields).</summary>
    public bool IsJson { get; set; }

    /// <summary>A body that replaces the fields' body: request-level inputs (a 1 MB body, another media type).</summary>
    public byte[]? RawBody { get; set; }

    public string? RawContentType { get; set; }

    public BrowserIdentity Identity { get; set; } = BrowserIdentity.Anonymous;

    public string? AcceptLanguage { get; set; }

    public BadInputRequest Query(string name, string value) => Add(name, FieldLocation.Query, value);

    public BadInputRequest Form(string name, string value)
    {
        IsForm = true;
        return Add(name, FieldLocation.Form, value);
    }

    public BadInputRequest Json(string name, string value) => AddJson(new RequestField(name, FieldLocation.Json, FieldValue.Of(value)));

    public BadInputRequest JsonArray(string name, params string[] values)
    {
        IsJson = true;
        if (values.Length == 0)
        {
            Fields.Add(new RequestField(name, FieldLocation.Json, FieldValue.OfJson("[]")));
        }

        foreach (var value in values)
        {
            Fields.Add(new RequestField(name, FieldLocation.Json, FieldValue.Of(value), InArray: true));
        }

        return this;
    }

    public BadInputRequest JsonToken(string name, string token) => AddJson(new RequestField(name, FieldLocation.Json, FieldValue.OfJson(token)));

    public BadInputRequest Route(string name, string value) => Add(name, FieldLocation.Route, value);

    public BadInputRequest Header(string name, string value) => Add(name, FieldLocation.Header, value);

    public BadInputRequest As(BrowserIdentity identity)
    {
        Identity = identity;
        return this;
    }

    public IReadOnlyList<RequestField> Named(string name, FieldLocation location) =>
        Fields.Where(f => f.Location == location && string.Equals(f.Name, name, StringComparison.Ordinal)).ToList();

    public void Remove(string name, FieldLocation location) =>
        Fields.RemoveAll(f => f.Location == location && string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>Replaces every value of the field with <paramref name="value"/> (one element, for a JSON array), in place.</summary>
    public void Set(string name, FieldLocation location, FieldValue value, bool inArray)
    {
        var at = Fields.FindIndex(f => f.Location == location && string.Equals(f.Name, name, StringComparison.Ordinal));
        Remove(name, location);
        var field = new RequestField(name, location, value, inArray && value.RawJson is null);
        if (at < 0)
        {
            Fields.Add(field);
        }
        else
        {
            Fields.Insert(Math.Min(at, Fields.Count), field);
        }
    }

    public HttpRequestMessage ToHttpRequest()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), Url());
        foreach (var header in Fields.Where(f => f.Location == FieldLocation.Header))
        {
            message.Headers.TryAddWithoutValidation(header.Name, header.Value.ToString());
        }

        if (AcceptLanguage is not null)
        {
            message.Headers.AcceptLanguage.ParseAdd(AcceptLanguage);
        }

        var (body, contentType) = RawBody is not null ? (RawBody, RawContentType)
            : IsForm ? (FormBody(), "application/x-www-form-urlencoded")
            : IsJson ? (JsonBody(), "application/json")
            : (null, null);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        return message;
    }

    private BadInputRequest Add(string name, FieldLocation location, string value)
    {
        Fields.Add(new RequestField(name, location, FieldValue.Of(value)));
        return this;
    }

    private BadInputRequest AddJson(RequestField field)
    {
        IsJson = true;
        Fields.Add(field);
        return this;
    }

    private string Url()
    {
        var path = Path;
        foreach (var route in Fields.Where(f => f.Location == FieldLocation.Route))
        {
            path = path.Replace("{" + route.Name + "}", route.Value.UrlEncoded(), StringComparison.Ordinal);
        }

        // A route field the input removed leaves its segment empty.
        path = System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]+\}", string.Empty);
        var query = Fields.Where(f => f.Location == FieldLocation.Query)
            .Select(f => Uri.EscapeDataString(f.Name) + "=" + f.Value.UrlEncoded())
            .ToList();
        return query.Count == 0 ? path : path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', query);
    }

    private byte[] FormBody()
    {
        using var body = new MemoryStream();
        foreach (var field in Fields.Where(f => f.Location == FieldLocation.Form))
        {
            if (body.Length > 0)
            {
                body.WriteByte((byte)'&');
            }

            body.Write(Encoding.ASCII.GetBytes(Uri.EscapeDataString(field.Name) + "="));
            body.Write(field.Value.FormEncoded());
        }

        return body.ToArray();
    }

    private byte[] JsonBody()
    {
        using var body = new MemoryStream();
        body.WriteByte((byte)'{');
        var json = Fields.Where(f => f.Location == FieldLocation.Json).ToList();
        var members = json.Where(f => !f.Repeated).GroupBy(f => f.Name, StringComparer.Ordinal)
            .Select(g => (g.Key, g.ToList()))
            .Concat(json.Where(f => f.Repeated).Select(f => (f.Name, new List<RequestField> { f })));
        var first = true;
        foreach (var (name, values) in members)
        {
            if (!first)
            {
                body.WriteByte((byte)',');
            }

            first = false;
            body.Write(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(name));
            body.WriteByte((byte)':');
            if (values[0].InArray)
            {
                body.WriteByte((byte)'[');
                for (var i = 0; i < values.Count; i++)
                {
                    if (i > 0)
                    {
                        body.WriteByte((byte)',');
                    }

                    body.Write(values[i].Value.JsonEncoded());
                }

                body.WriteByte((byte)']');
            }
            else
            {
                body.Write(values[0].Value.JsonEncoded());
            }
        }

        body.WriteByte((byte)'}');
        return body.ToArray();
    }
}
