using IdentityProvider.Clients;

namespace IdentityProvider.Tests.Clients;

public sealed class ClientSecretHashTests
{
    private const string Secret = "0123456789abcdefghijklmnopqrstuvwxyz-secret";

    [Test]
    public void Create_ThenVerify_AcceptsTheSecretOnly()
    {
        var stored = ClientSecretHash.Create(Secret);

        Assert.Multiple(() =>
        {
            Assert.That(stored, Does.StartWith(ClientSecretHash.Prefix));
            Assert.That(ClientSecretHash.Verify(Secret, stored), Is.True);
            Assert.That(ClientSecretHash.Verify(Secret + "x", stored), Is.False);
            Assert.That(ClientSecretHash.Verify(Secret[..^1], stored), Is.False);
        });
    }

    [Test]
    public void Create_SameSecretTwice_GivesDifferentHashes()
    {
        var first = ClientSecretHash.Create(Secret);
        var second = ClientSecretHash.Create(Secret);

        Assert.That(second, Is.Not.EqualTo(first), "each hash has its own key");
    }

    [TestCase("")]
    [TestCase("$hs256$")]
    [TestCase("$hs256$AAAA")]
    [TestCase("$hs256$not base64$also not")]
    [TestCase("$hs256$AAAAAAAAAAAAAAAAAAAAAA$AAAA")]
    [TestCase("AQAAAAEAACcQAAAAEA==")]
    public void Verify_MalformedOrOtherFormat_IsFalse(string stored)
    {
        Assert.That(ClientSecretHash.Verify(Secret, stored), Is.False);
    }

    [Test]
    public void Verify_TamperedMac_IsFalse()
    {
        var stored = ClientSecretHash.Create(Secret);
        var last = stored[^2] == 'A' ? 'B' : 'A';

        Assert.That(ClientSecretHash.Verify(Secret, stored[..^2] + last + stored[^1]), Is.False);
    }
}
