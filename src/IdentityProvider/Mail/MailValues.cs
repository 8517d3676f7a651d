using System.Globalization;

namespace IdentityProvider.Mail;

/// <summary>
/// The names of the values <see cref="IMailComposer.Compose"/> takes (see <see cref="MailTemplate"/>)
/// and how to write a moment among them, so that callers and templates agree on one spelling.
/// </summary>
public static class MailValues
{
    public const string UserName = nameof(UserName);
    public const string UnlockUrl = nameof(UnlockUrl);
    public const string ResetUrl = nameof(ResetUrl);
    public const string RegistrationUrl = nameof(RegistrationUrl);
    public const string ConfirmUrl = nameof(ConfirmUrl);
    public const string ChangeUrl = nameof(ChangeUrl);
    public const string InviterEmail = nameof(InviterEmail);
    public const string InternetLoginUrl = nameof(InternetLoginUrl);
    public const string LineLoginUrl = nameof(LineLoginUrl);
    public const string ConnectionId = nameof(ConnectionId);

    /// <summary>When the link stops working; the composer writes it in Japan time and the days left.</summary>
    public const string ExpiresAt = nameof(ExpiresAt);

    public const string ResetAt = nameof(ResetAt);

    /// <summary>A moment as the composer reads it: ISO 8601 with its offset, independent of any culture.</summary>
    public static string Moment(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);
}
