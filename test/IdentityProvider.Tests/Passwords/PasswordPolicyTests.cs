using IdentityProvider.Passwords;

namespace IdentityProvider.Tests.Passwords;

/// <summary>R-7.1, the rule itself: length, character classes, not the e-mail, not common.</summary>
[TestFixture]
public sealed class PasswordPolicyTests
{
    private const string Email = "Taro.Yamada7@example.test";

    [Test]
    public void Check_SevenCharacters_IsTooShort()
    {
        Assert.That(PasswordPolicy.Check("Kq7#mZp", Email), Is.EqualTo(new[] { PasswordProblem.TooShort }));
    }

    [Test]
    public void Check_EightRandomCharactersOfFourClasses_IsAccepted()
    {
        Assert.That(PasswordPolicy.Check("Kq7#mZp2", Email), Is.Empty);
    }

    [Test]
    public void Check_128Characters_IsAccepted()
    {
        Assert.That(PasswordPolicy.Check(LongPassword(128), Email), Is.Empty);
    }

    [Test]
    public void Check_129Characters_IsTooLong()
    {
        Assert.That(PasswordPolicy.Check(LongPassword(129), Email), Is.EqualTo(new[] { PasswordProblem.TooLong }));
    }

    [Test]
    public void Check_LengthCountsCharactersNotUtf16Units()
    {
        // Six characters, eight UTF-16 code units: still too short.
        Assert.That(PasswordPolicy.Check("Kq7#😀😀", Email), Does.Contain(PasswordProblem.TooShort));
    }

    [TestCase("kumosoranotabi2026", TestName = "Check_LowerAndDigitsOnly_HasTooFewCharacterClasses")]
    [TestCase("KUMOSORANOTABI!?", TestName = "Check_UpperAndSymbolsOnly_HasTooFewCharacterClasses")]
    [TestCase("kumo sora tabi 2026", TestName = "Check_SpacesDoNotCountAsSymbols")]
    public void Check_TwoCharacterClasses_IsRefused(string password)
    {
        Assert.That(PasswordPolicy.Check(password, Email), Is.EqualTo(new[] { PasswordProblem.TooFewCharacterClasses }));
    }

    [TestCase("kumo-sora-2026-tabi", TestName = "Check_LowerSymbolDigit_IsAccepted")]
    [TestCase("KUMO-SORA-2026-TABI", TestName = "Check_UpperSymbolDigit_IsAccepted")]
    [TestCase("KumoSora2026Tabi", TestName = "Check_UpperLowerDigit_IsAccepted")]
    [TestCase("Kumo-Sora-Tabi-Ni", TestName = "Check_UpperLowerSymbol_IsAccepted")]
    [TestCase("Kumo-Sora-2026!x", TestName = "Check_AllFourClasses_IsAccepted")]
    public void Check_ThreeOrFourCharacterClasses_IsAccepted(string password)
    {
        Assert.That(PasswordPolicy.Check(password, Email), Is.Empty);
    }

    [TestCase(Email)]
    [TestCase("taro.yamada7@EXAMPLE.test")]
    public void Check_SameAsEmailInAnyCase_IsRefused(string password)
    {
        Assert.That(PasswordPolicy.Check(password, Email), Is.EqualTo(new[] { PasswordProblem.SameAsEmail }));
    }

    [TestCase("Password1!")]
    [TestCase("P@ssw0rd123")]
    [TestCase("Qwerty123!")]
    [TestCase("Passw0rd")]
    [TestCase("Abcd1234!")]
    [TestCase("Iloveyou1!")]
    public void Check_CommonPassword_IsTooCommon(string password)
    {
        Assert.That(PasswordPolicy.Check(password, Email), Is.EqualTo(new[] { PasswordProblem.TooCommon }));
    }

    [Test]
    public void Check_EmailLocalPartWithDecoration_IsTooCommon()
    {
        // Not equal to the e-mail, but guessed at once by anyone who knows it.
        Assert.That(PasswordPolicy.Check("Taro.Yamada7!", Email), Is.EqualTo(new[] { PasswordProblem.TooCommon }));
    }

    [Test]
    public void Check_Empty_ReportsEveryBrokenRule()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PasswordPolicy.Check(string.Empty, Email), Is.EquivalentTo(new[] { PasswordProblem.TooShort, PasswordProblem.TooFewCharacterClasses }));
            Assert.That(PasswordPolicy.Check(null, null), Is.EquivalentTo(new[] { PasswordProblem.TooShort, PasswordProblem.TooFewCharacterClasses }));
        });
    }

    [Test]
    public void Check_WithoutEmail_StillChecksEverythingElse()
    {
        Assert.Multiple(() =>
        {
            Assert.That(PasswordPolicy.Check("Kumo-Sora-2026!x", null), Is.Empty);
            Assert.That(PasswordPolicy.Check("Password1!", null), Is.EqualTo(new[] { PasswordProblem.TooCommon }));
        });
    }

    /// <summary>A non-repeating password of the given length with all four classes.</summary>
    private static string LongPassword(int length)
    {
        const string alphabet = "aB3$cD5%eF7&gH9*jK2#mN4@pQ6!rS8?tU";
        return string.Concat(Enumerable.Range(0, length).Select(i => alphabet[(i * 7 + i / alphabet.Length) % alphabet.Length]));
    }
}
