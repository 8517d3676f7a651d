using Microsoft.AspNetCore.DataProtection;

namespace IdentityProvider.Mail;

/// <summary>
/// The bodies of queued mails carry live links — unlock, password reset, invitation — whose tokens
/// are otherwise stored only as hashes. The outbox must keep a body until it is sent (a crash
/// between the state change and the send must not lose the mail, SPEC §12), so it keeps it
/// protected with Data Protection (encrypted and authenticated, with the key ring every node
/// shares), and the drain job blanks it once the mail is sent or refused for good.
/// </summary>
public sealed class MailBodyProtection(IDataProtectionProvider dataProtection)
{
    /// <summary>
    /// Marks a protected body. A body without it was queued in clear by a version before this
    /// protection and is sent as it is, so that an upgrade loses no queued mail.
    /// </summary>
    public const string Marker = "dp1:";

    private const string Purpose = "IdentityProvider.Mail.MailBodyProtection.v1";

    private readonly IDataProtector protector = dataProtection.CreateProtector(Purpose);

    public string Protect(string body) => Marker + protector.Protect(body);

    /// <exception cref="System.Security.Cryptography.CryptographicException">The body's key is not in this node's key ring, or the body was altered.</exception>
    public string Unprotect(string stored) =>
        stored.StartsWith(Marker, StringComparison.Ordinal) ? protector.Unprotect(stored[Marker.Length..]) : stored;
}
