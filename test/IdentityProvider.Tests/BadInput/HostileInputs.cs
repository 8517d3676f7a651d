using System.Text;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The table of hostile inputs (issue 20, "The suite"): for each field — missing, duplicated,
/// oversized, wrong JSON types, invalid UTF-8, NUL, CRLF, XSS, open-redirect URLs (redirect fields
/// only), SQL-ish strings, unicode oddities — and for each request — a 1 MB body, multipart and
/// other media types, another method, an unknown parameter carrying markup.
/// </summary>
public static class HostileInputs
{
    public const string Crlf = "x\r\nX-Injected: 1";
    public const string XssScript = "<script>alert(1)</script>";
    public const string XssAttribute = "\"><img src=x onerror=alert(1)>";
    public const string JavascriptUrl = "javascript:alert(1)";

    /// <summary>Over every parameter cap of the server (4 KB for protocol values, 256 characters for an address).</summary>
    public static readonly string TenKilobytes = new('a', 10 * 1024);

    public static IReadOnlyList<HostileInput> ForFields { get; } =
    [
        new("Missing", InputClass.Missing) { Apply = (r, f, _) => r.Remove(f!.Name, f.Location) },
        new("Duplicated", InputClass.Duplicated)
        {
            AppliesTo = f => f.Location != FieldLocation.Route,
            Apply = Duplicate,
        },
        new("Oversized", InputClass.Oversized) { Apply = Set(TenKilobytes), OnPostgreSql = true },
        new("WrongType", InputClass.WrongType)
        {
            AppliesTo = f => f.Location == FieldLocation.Json,
            Apply = (r, f, _) => r.Set(f!.Name, f.Location, FieldValue.OfJson(f.Json switch
            {
                JsonKind.StringArray => "\"https://app.example/cb\"",
                JsonKind.Boolean => "\"yes\"",
                _ => "12345",
            }), inArray: false),
        },
        new("Null", InputClass.WrongType)
        {
            AppliesTo = f => f.Location == FieldLocation.Json,
            Apply = (r, f, _) => r.Set(f!.Name, f.Location, FieldValue.OfJson("null"), inArray: false),
        },
        new("InvalidUtf8", InputClass.InvalidUtf8) { AppliesTo = NotInHeader, Apply = SetBytes(0xC3, 0x28, 0xFF), OnPostgreSql = true },
        new("Nul", InputClass.Nul) { AppliesTo = f => NotInHeader(f) && f.Location != FieldLocation.Route, Apply = Set("a\0b"), OnPostgreSql = true },
        new("Crlf", InputClass.Crlf) { AppliesTo = NotInHeader, Apply = Set(Crlf) },
        new("XssScript", InputClass.Xss) { Apply = Set(XssScript) },
        new("XssAttribute", InputClass.Xss) { Apply = Set(XssAttribute) },
        new("JavascriptUrl", InputClass.Xss) { Apply = Set(JavascriptUrl) },
        new("AbsoluteUrl", InputClass.OpenRedirect) { AppliesTo = f => f.IsRedirect, Apply = Set("https://evil.example/") },
        new("SchemeRelativeUrl", InputClass.OpenRedirect) { AppliesTo = f => f.IsRedirect, Apply = Set("//evil.example") },
        new("SlashBackslashUrl", InputClass.OpenRedirect) { AppliesTo = f => f.IsRedirect, Apply = Set("/\\evil.example") },
        new("BackslashSlashUrl", InputClass.OpenRedirect) { AppliesTo = f => f.IsRedirect, Apply = Set("\\/evil.example") },
        new("SqlQuote", InputClass.Sql) { Apply = Set("' OR '1'='1"), English = true, OnPostgreSql = true },
        new("SqlDrop", InputClass.Sql) { Apply = Set("\"; DROP TABLE x; --") },
        new("RtlOverride", InputClass.Unicode) { Apply = Set("\u202Egnp.exe") },
        new("Overlong", InputClass.Unicode) { AppliesTo = NotInHeader, Apply = SetBytes(0xC0, 0xAE, 0xC0, 0xAE, 0xC0, 0xAF), OnPostgreSql = true },
    ];

    /// <summary>A body of 1 MB, in the endpoint's own media type.</summary>
    public static HostileInput OneMegabyteBody { get; } = new("OneMegabyteBody", InputClass.Request)
    {
        Apply = (r, _, _) =>
        {
            var filler = new string('x', 1024 * 1024);
            (r.RawBody, r.RawContentType) = r.IsJson
                ? (Encoding.UTF8.GetBytes("{\"filler\":\"" + filler + "\"}"), "application/json")
                : (Encoding.ASCII.GetBytes("filler=" + filler), "application/x-www-form-urlencoded");
        },
    };

    public static HostileInput Multipart { get; } = new("Multipart", InputClass.Request)
    {
        Apply = (r, _, _) => (r.RawBody, r.RawContentType) = (
            Encoding.ASCII.GetBytes("--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--b--\r\n"),
            "multipart/form-data; boundary=b"),
    };

    public static HostileInput TextPlainBody { get; } = new("TextPlainBody", InputClass.Request)
    {
        Apply = (r, _, _) => (r.RawBody, r.RawContentType) = (Encoding.UTF8.GetBytes(XssScript), "text/plain"),
    };

    /// <summary>The same path with a method it does not take.</summary>
    public static HostileInput WrongMethod { get; } = new("WrongMethod", InputClass.Request)
    {
        Apply = (r, _, _) => r.Method = "PUT",
    };

    /// <summary>A parameter the endpoint does not know, carrying markup: ignored, or shown encoded.</summary>
    public static HostileInput UnknownParameter { get; } = new("UnknownParameter", InputClass.Request)
    {
        Apply = (r, _, _) => r.Query("x-unknown", XssScript),
    };

    /// <summary>Another path under a static folder, e.g. a traversal to the configuration.</summary>
    public static HostileInput StaticPath(string name, string path) => new(name, InputClass.Request)
    {
        Apply = (r, _, _) => r.Path = path,
        OnPostgreSql = false,
    };

    /// <summary>
    /// Bytes a header cannot carry (CR, LF, NUL, bytes that are not UTF-8) are refused by Kestrel before
    /// the application sees them, and the in-memory test server cannot send them; the same holds for
    /// NUL in a path.
    /// </summary>
    private static bool NotInHeader(Field field) => field.Location != FieldLocation.Header;

    private static Action<BadInputRequest, Field?, BadInputWorld> Set(string value) =>
        (r, f, _) => r.Set(f!.Name, f.Location, FieldValue.Of(f.Prefix + value), f.Json == JsonKind.StringArray);

    private static Action<BadInputRequest, Field?, BadInputWorld> SetBytes(params byte[] bytes) =>
        (r, f, _) => r.Set(f!.Name, f.Location, FieldValue.OfBytes([.. Encoding.UTF8.GetBytes(f.Prefix), .. bytes]), f.Json == JsonKind.StringArray);

    /// <summary>The field twice, with the same value (RFC 6749 §3.1 forbids even that); a JSON member twice.</summary>
    private static void Duplicate(BadInputRequest request, Field? field, BadInputWorld world)
    {
        var present = request.Named(field!.Name, field.Location);
        if (present.Count == 0)
        {
            var value = FieldValue.Of(field.Prefix + "1");
            request.Fields.Add(new RequestField(field.Name, field.Location, value));
            request.Fields.Add(new RequestField(field.Name, field.Location, value, Repeated: field.Location == FieldLocation.Json));
            return;
        }

        // A JSON member is written twice (an array member with its first element); other fields get a second copy.
        request.Fields.Add(field.Location == FieldLocation.Json ? present[0] with { Repeated = true } : present[0]);
    }
}
