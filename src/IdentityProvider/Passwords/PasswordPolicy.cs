namespace IdentityProvider.Passwords;

/// <summary>
/// 8 to 128 characters, at least three of upper-case, lower-case, digit and symbol, not the
/// e-mail address, and not a common or easily guessed password (zxcvbn's dictionaries of leaked
/// passwords, names and keyboard patterns, scored with the user's own e-mail as context).
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 8;
    public const int MaximumLength = 128;

    /// <summary>zxcvbn scores 0–1 mean fewer than 10^6 guesses: a password list away from broken.</summary>
    private const int MinimumStrengthScore = 2;

    /// <summary>Beyond this length guessing is hopeless anyway, and zxcvbn's matching grows fast.</summary>
    private const int StrengthCheckLength = 64;

    public static IReadOnlyList<PasswordProblem> Check(string? password, string? email)
    {
        password ??= string.Empty;
        var problems = new List<PasswordProblem>();
        var length = password.EnumerateRunes().Count();
        if (length < MinimumLength)
        {
            problems.Add(PasswordProblem.TooShort);
        }
        else if (length > MaximumLength)
        {
            problems.Add(PasswordProblem.TooLong);
        }

        if (CharacterClasses(password) < 3)
        {
            problems.Add(PasswordProblem.TooFewCharacterClasses);
        }

        if (!string.IsNullOrEmpty(email) && string.Equals(password, email.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(PasswordProblem.SameAsEmail);
        }
        else if (problems.Count == 0 && length <= StrengthCheckLength && IsGuessable(password, email))
        {
            problems.Add(PasswordProblem.TooCommon);
        }

        return problems;
    }

    private static int CharacterClasses(string password)
    {
        bool upper = false, lower = false, digit = false, symbol = false;
        foreach (var c in password)
        {
            if (char.IsUpper(c)) upper = true;
            else if (char.IsLower(c)) lower = true;
            else if (char.IsDigit(c)) digit = true;
            else if (!char.IsWhiteSpace(c) && !char.IsControl(c)) symbol = true;
        }

        return (upper ? 1 : 0) + (lower ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
    }

    private static bool IsGuessable(string password, string? email)
    {
        var context = string.IsNullOrEmpty(email) ? [] : new[] { email, email.Split('@')[0] };
        return Zxcvbn.Zxcvbn.MatchPassword(password, context).Score < MinimumStrengthScore;
    }
}
