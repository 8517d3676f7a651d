namespace IdentityProvider.Passwords;

public enum PasswordProblem
{
    TooShort,
    TooLong,
    TooFewCharacterClasses,
    SameAsEmail,
    TooCommon,
}
