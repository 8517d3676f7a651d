using IdentityProvider.Audit;

namespace IdentityProvider.Tests.Audit;

/// <summary>What operators may type for since/until: ISO 8601 or a span back from now, always read as an instant in UTC.</summary>
public sealed class AuditTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [TestCase("2026-11-01", "2026-11-01T00:00:00Z")]
    [TestCase("2026-11-01T09:30", "2026-11-01T09:30:00Z")]
    [TestCase("2026-11-01T09:30:15Z", "2026-11-01T09:30:15Z")]
    [TestCase("2026-11-01T09:30:15.250Z", "2026-11-01T09:30:15.250Z")]
    [TestCase("2026-11-01T09:00:00+09:00", "2026-11-01T00:00:00Z")]
    [TestCase("90m", "2026-11-25T10:30:00Z")]
    [TestCase("24h", "2026-11-24T12:00:00Z")]
    [TestCase("7d", "2026-11-18T12:00:00Z")]
    public void TryParse_AcceptedForm_GivesTheInstantInUtc(string text, string expected)
    {
        var parsed = AuditTime.TryParse(text, Now, out var value);

        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(value, Is.EqualTo(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(value.Offset, Is.EqualTo(TimeSpan.Zero));
        });
    }

    [TestCase("")]
    [TestCase("yesterday")]
    [TestCase("11/01/2026")]
    [TestCase("2026-11-01 09:00")]
    [TestCase("2026-02-30")]
    [TestCase("24")]
    [TestCase("-24h")]
    [TestCase("3w")]
    [TestCase("999999d")]
    public void TryParse_OtherText_IsRefused(string text)
    {
        Assert.That(AuditTime.TryParse(text, Now, out _), Is.False);
    }
}
