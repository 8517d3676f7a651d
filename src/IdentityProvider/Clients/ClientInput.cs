using IdentityProvider.Common;

namespace IdentityProvider.Clients;

/// <summary>
/// What a client registration may hold besides its identifiers: redirect URIs and browser origins,
/// each checked one by one and in number, so that a registration stays something a person can
/// read and the exact-match lookups stay small.
/// </summary>
public static class ClientInput
{
    /// <summary>Of each list (redirect URIs, post-logout redirect URIs, allowed origins).</summary>
    public const int MaxListLength = 20;

    public const int MaxUriLength = 2000;

    /// <summary>A scheme, a DNS name (at most 253 characters) and a port.</summary>
    public const int MaxOriginLength = 300;

    /// <summary>
    /// Absolute, without a fragment (RFC 6749 §3.1.2) or user information (RFC 9700 §4.1.1: no
    /// credentials in a URI, and no look-alike <c>https://good.example@evil.example/</c>), HTTPS except
    /// on loopback (RFC 8252 §7.3), or a private-use scheme of a native app (RFC 8252 §7.1); ASCII
    /// without spaces; no <c>*</c>, since URIs are matched exactly and a wildcard would be taken literally.
    /// </summary>
    public static IReadOnlyList<Uri> RedirectUris(IReadOnlyList<string?>? values, string field, string what)
    {
        var result = new List<Uri>();
        foreach (var value in CheckCount(values, field, what + "s"))
        {
            if (value is null || value.Length > MaxUriLength)
            {
                throw RequestRejectedException.Invalid(field, $"a {what} is a URI of at most {MaxUriLength} characters, not {Describe(value)}.");
            }

            var text = value.Trim();
            CheckCharacters(text, field, what);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || text.Contains('#'))
            {
                throw RequestRejectedException.Invalid(field, $"the {what} {OperatorInput.Quote(value)} must be an absolute URI without a fragment.");
            }

            CheckNoUserInfo(uri, text, field, what);
            var ok = uri.Scheme switch
            {
                "https" => true,
                "http" => IsLoopback(uri),
                _ => uri.Scheme.Contains('.'),
            };
            if (!ok)
            {
                throw RequestRejectedException.Invalid(field,
                    $"the {what} {OperatorInput.Quote(value)} must use https (http only on localhost/127.0.0.1/[::1], or a reverse-domain private scheme for native apps).");
            }

            result.Add(uri);
        }

        return result;
    }

    /// <summary>
    /// Browser origins (RFC 6454) as browsers send them in <c>Origin</c>: scheme, host and a port
    /// other than the scheme's default, lower-case, without a path. HTTPS except on loopback.
    /// </summary>
    public static IReadOnlyList<string> Origins(IReadOnlyList<string?>? values, string field)
    {
        var result = new List<string>();
        foreach (var value in CheckCount(values, field, "allowed origins"))
        {
            if (value is null || value.Length > MaxOriginLength)
            {
                throw RequestRejectedException.Invalid(field, $"an allowed origin is at most {MaxOriginLength} characters, not {Describe(value)}.");
            }

            var text = value.Trim();
            CheckCharacters(text, field, "allowed origin");
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") ||
                uri.AbsolutePath != "/" || text.Contains('?') || text.Contains('#'))
            {
                throw RequestRejectedException.Invalid(field,
                    $"{OperatorInput.Quote(value)} is not an origin: give scheme, host and port only, like https://spa.example or http://localhost:5173.");
            }

            CheckNoUserInfo(uri, text, field, "allowed origin");
            if (uri.Scheme == "http" && !IsLoopback(uri))
            {
                throw RequestRejectedException.Invalid(field, $"the allowed origin {OperatorInput.Quote(value)} must use https (http only on localhost/127.0.0.1/[::1]).");
            }

            var origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
            if (!result.Contains(origin, StringComparer.Ordinal))
            {
                result.Add(origin);
            }
        }

        return result;
    }

    private static IReadOnlyList<string?> CheckCount(IReadOnlyList<string?>? values, string field, string what)
    {
        // JSON may say null where C# says "never null": treated as an empty list.
        values ??= [];
        if (values.Count > MaxListLength)
        {
            throw RequestRejectedException.Invalid(field, $"at most {MaxListLength} {what}, not {values.Count}.");
        }

        return values;
    }

    private static void CheckCharacters(string text, string field, string what)
    {
        foreach (var c in text)
        {
            if (c is <= ' ' or > '~')
            {
                throw RequestRejectedException.Invalid(field,
                    $"the {what} {OperatorInput.Quote(text)} must be ASCII without spaces or control characters: percent-encode the others, and give a host in its punycode form.");
            }

            if (c == '*')
            {
                throw RequestRejectedException.Invalid(field, $"the {what} {OperatorInput.Quote(text)} has a '*': wildcards are not supported, register each one.");
            }
        }
    }

    /// <summary>Also an empty one (<c>https://@host/</c>), which <see cref="Uri.UserInfo"/> does not show.</summary>
    private static void CheckNoUserInfo(Uri uri, string text, string field, string what)
    {
        var authorityStart = text.IndexOf("//", StringComparison.Ordinal);
        var authority = authorityStart < 0 ? string.Empty : text[(authorityStart + 2)..].Split('/', '?', '#')[0];
        if (uri.UserInfo.Length > 0 || authority.Contains('@'))
        {
            throw RequestRejectedException.Invalid(field, $"the {what} {OperatorInput.Quote(text)} must not contain a user name or password.");
        }
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback && uri.Host is "localhost" or "127.0.0.1" or "[::1]";

    private static string Describe(string? value) => value is null ? "null" : $"{value.Length} characters";
}
