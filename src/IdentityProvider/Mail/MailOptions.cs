using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IdentityProvider.Mail;

/// <summary>
/// Configuration section <c>Mail</c>: how the mails of the IdP (registration, password reset,
/// lockout, e-mail change) leave the process. Checked at start, so that a server never comes up
/// unable to send the mail a user is waiting for.
/// </summary>
public sealed class MailOptions : IValidatableObject
{
    public const string Section = "Mail";

    /// <summary>
    /// Pickup by default: the embedded setup (SPEC §12) needs no mail server, and a developer opens
    /// the files to follow the links. Production sets <see cref="MailMode.Smtp"/>.
    /// </summary>
    [EnumDataType(typeof(MailMode))]
    public MailMode Mode { get; set; } = MailMode.Pickup;

    /// <summary>
    /// Where <see cref="MailMode.Pickup"/> writes <c>.eml</c> files. A relative path is taken relative
    /// to the content root, like the SQLite file, so that <c>dotnet run</c> from anywhere writes to
    /// the same folder; after start-up the value is the absolute path.
    /// </summary>
    public string PickupDirectory { get; set; } = "App_Data/mail";

    /// <summary>
    /// The From mailbox with its display name, e.g. <c>どこでもBOX &lt;no-reply@example.jp&gt;</c>.
    /// No default: in production it must be an address the relay may send as (SPF, DKIM, DMARC of
    /// its domain), or receivers file our password-reset mails as spam.
    /// </summary>
    [Required(ErrorMessage = "Mail:From is required, e.g. \"どこでもBOX <no-reply@example.jp>\".")]
    public string From { get; set; } = "";

    /// <summary>Used only when <see cref="Mode"/> is <see cref="MailMode.Smtp"/>.</summary>
    [ValidateObjectMembers]
    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>The rules that span several keys; the single-key ones are attributes.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!MailboxAddress.TryParse(From, out var from) || string.IsNullOrEmpty(from.Domain))
        {
            yield return new ValidationResult(
                $"Mail:From \"{From}\" is not a single mailbox with a domain, e.g. \"どこでもBOX <no-reply@example.jp>\".",
                [nameof(From)]);
        }

        if (Mode == MailMode.Pickup && string.IsNullOrWhiteSpace(PickupDirectory))
        {
            yield return new ValidationResult("Mail:PickupDirectory is required when Mail:Mode is Pickup.", [nameof(PickupDirectory)]);
        }

        if (Mode == MailMode.Smtp && string.IsNullOrWhiteSpace(Smtp.Host))
        {
            yield return new ValidationResult("Mail:Smtp:Host is required when Mail:Mode is Smtp.", [$"{nameof(Smtp)}.{nameof(SmtpOptions.Host)}"]);
        }

        if (Mode == MailMode.Smtp && !string.IsNullOrEmpty(Smtp.UserName) && Smtp.Password is null)
        {
            yield return new ValidationResult(
                "Mail:Smtp:Password is required when Mail:Smtp:UserName is set (keep it in user secrets or an environment variable).",
                [$"{nameof(Smtp)}.{nameof(SmtpOptions.Password)}"]);
        }
    }
}
