using System.Globalization;

namespace IdentityProvider.Mail;

/// <summary>Renders a template in a language (Japanese by default, English on request) with its values.</summary>
public interface IMailComposer
{
    /// <exception cref="ArgumentException">A value the template needs is missing.</exception>
    ComposedMail Compose(MailTemplate template, CultureInfo culture, IReadOnlyDictionary<string, string> values);
}
