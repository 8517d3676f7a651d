namespace IdentityProvider.Mail;

/// <summary>
/// Transport security towards the SMTP relay (<c>Mail:Smtp:Security</c>). Our own names rather than
/// MailKit's <c>SecureSocketOptions</c>, so that configuration cannot pick
/// <c>StartTlsWhenAvailable</c> explicitly: mails carry password-reset links.
/// </summary>
public enum SmtpSecurity
{
    /// <summary>Plain text. Only for a relay on loopback or an isolated network.</summary>
    None = 0,

    /// <summary>Connect in plain text, then STARTTLS (RFC 3207); fail if the server does not offer it.</summary>
    StartTls = 1,

    /// <summary>TLS from the first byte (implicit TLS, RFC 8314), usually port 465.</summary>
    SslOnConnect = 2,

    /// <summary>
    /// MailKit decides from the port: implicit TLS on 465, otherwise STARTTLS <em>if offered</em>.
    /// Convenient, but a network attacker can strip the STARTTLS offer; prefer an explicit choice.
    /// </summary>
    Auto = 3,
}
