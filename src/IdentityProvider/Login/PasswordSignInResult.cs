namespace IdentityProvider.Login;

/// <summary>
/// The outcome (for logs and the audit) and what the page may say. <see cref="ShowLocked"/> is true
/// for a locked account and equally for an unregistered address that has failed as often, so the
/// page's answer never tells whether an address exists.
/// </summary>
public sealed record PasswordSignInResult(PasswordSignInOutcome Outcome, bool ShowLocked)
{
    public bool Succeeded => Outcome == PasswordSignInOutcome.Succeeded;
}
