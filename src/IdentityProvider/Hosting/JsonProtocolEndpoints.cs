namespace IdentityProvider.Hosting;

/// <summary>
/// The protocol endpoints that answer JSON (RFC 6749 §5.2) or a bare Bearer challenge (RFC 6750 §3):
/// clients read them, not people, so no error there becomes the HTML error page.
/// </summary>
public static class JsonProtocolEndpoints
{
    private static readonly PathString[] Paths =
    [
        "/connect/token", "/connect/introspect", "/connect/revoke", "/connect/par", "/connect/userinfo",
    ];

    public static bool Contains(PathString path) => Paths.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase));
}
