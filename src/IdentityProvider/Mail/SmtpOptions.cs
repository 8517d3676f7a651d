using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Mail;

/// <summary>Configuration section <c>Mail:Smtp</c>: the relay that <see cref="MailMode.Smtp"/> submits to.</summary>
public sealed class SmtpOptions
{
    /// <summary>Host name or IP address of the relay; required in <see cref="MailMode.Smtp"/> mode.</summary>
    public string? Host { get; set; }

    /// <summary>587, the submission port (RFC 6409), goes with <see cref="SmtpSecurity.StartTls"/>.</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>
    /// STARTTLS by default, and required rather than opportunistic: the mails carry single-use links
    /// that sign a user in, so they must not cross the network in clear text.
    /// </summary>
    [EnumDataType(typeof(SmtpSecurity))]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Authenticate when set; a relay that trusts our network needs none.</summary>
    public string? UserName { get; set; }

    /// <summary>A secret: keep it out of appsettings.json (user secrets, environment variables). Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// For each network operation (connect, each command). Bounded so that one unresponsive relay
    /// cannot stall the outbox job for MailKit's default two minutes per message; the outbox retries.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
