namespace IdentityProvider.TwoFactor;

/// <summary>
/// What a reset took away: whether anything was registered, and the confirmed phone number that
/// was (the channel a reset notice goes to besides the mailbox, R-7.4).
/// </summary>
public sealed record TwoFactorReset(bool HadRegistration, string? FormerPhoneNumber);
