using IdentityProvider.Mail;

namespace IdentityProvider.Tests.Mail;

public sealed class MailRetryDelayTests
{
    private static readonly MailOutboxOptions Options = new();

    [TestCase(1, 0.0, 15)]
    [TestCase(1, 0.999, 29.985)]
    [TestCase(2, 0.0, 30)]
    [TestCase(3, 0.0, 60)]
    [TestCase(8, 0.0, 1800)]
    public void After_Attempt_DoublesFromRetryDelayWithJitterOfUpToHalf(int attempts, double random, double seconds)
    {
        Assert.That(MailRetryDelay.After(attempts, Options, random).TotalSeconds, Is.EqualTo(seconds).Within(0.001));
    }

    [TestCase(9)]
    [TestCase(50)]
    [TestCase(int.MaxValue)]
    public void After_ManyAttempts_StaysWithinMaxRetryDelay(int attempts)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(MailRetryDelay.After(attempts, Options, 0.999), Is.LessThan(TimeSpan.FromHours(1)));
            Assert.That(MailRetryDelay.After(attempts, Options, 0.0), Is.EqualTo(TimeSpan.FromMinutes(30)));
        }
    }
}
