namespace IdentityProvider.Mail;

/// <summary>How the IdP hands over its mail (<c>Mail:Mode</c>).</summary>
public enum MailMode
{
    /// <summary>Write <c>.eml</c> files to a folder: the embedded default (SPEC §12), nothing to set up.</summary>
    Pickup = 0,

    /// <summary>Submit to an SMTP relay with MailKit: production (SPEC §12).</summary>
    Smtp = 1,
}
