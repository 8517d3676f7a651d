using System.Text.RegularExpressions;
using IdentityProvider.Common;

namespace IdentityProvider.Tenants;

/// <summary>What operators may give as a tenant's name and as a user's e-mail address.</summary>
public static partial class TenantInput
{
    public const int MaxNameLength = 63;

    /// <summary>RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets.</summary>
    public const int MaxEmailLength = 254;

    /// <summary>
    /// A tenant's name appears in URLs (per-tenant login and SAML metadata) and in operators'
    /// commands: a DNS-label-like slug, 2-63 lower-case ASCII letters, digits and hyphens, not
    /// starting or ending with a hyphen. No path separators, dots, spaces or look-alike characters.
    /// </summary>
    public static string Name(string? value, string field)
    {
        var name = value?.Trim() ?? string.Empty;
        if (!NamePattern().IsMatch(name))
        {
            throw RequestRejectedException.Invalid(field,
                $"{OperatorInput.Quote(value)} is not a tenant name: use 2-{MaxNameLength} lower-case letters a-z, digits and '-', starting and ending with a letter or digit.");
        }

        return name;
    }

    /// <summary>
    /// An address mail can be sent to: an ASCII dot-atom local part of at most 64 characters, '@',
    /// a domain of at least two DNS labels; at most <see cref="MaxEmailLength"/> characters in all.
    /// Quoted local parts, IP-literal domains and non-ASCII addresses are refused.
    /// </summary>
    public static string Email(string? value, string field)
    {
        var email = value?.Trim() ?? string.Empty;
        if (email.Length > MaxEmailLength || !EmailPattern().IsMatch(email))
        {
            throw RequestRejectedException.Invalid(field,
                $"{OperatorInput.Quote(value)} is not a valid e-mail address (name@example.com, ASCII, at most {MaxEmailLength} characters).");
        }

        return email;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(
        @"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*" +
        @"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
