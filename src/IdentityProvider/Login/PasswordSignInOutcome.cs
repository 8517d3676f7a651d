namespace IdentityProvider.Login;

/// <summary>Why a password sign-in ended as it did: logged and audited, never shown (no enumeration).</summary>
public enum PasswordSignInOutcome
{
    Succeeded,
    UnknownUser,
    OtherLoginMethod,
    WrongPassword,
    LockedOut,
    NotAllowed,
}
