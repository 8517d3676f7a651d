using IdentityProvider.Mail;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace IdentityProvider.Tests.Mail;

public sealed class PickupMailTransportTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 30, 15, TimeSpan.Zero);
    private string directory = null!;

    /// <summary>A directory of the test's own that does not exist yet: the transport creates it.</summary>
    [SetUp]
    public void ChooseDirectory() => directory = Path.Combine(Path.GetTempPath(), "idp-pickup-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteDirectory()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Send_PasswordResetMail_WritesEmlThatParsesBackWithJapaneseText()
    {
        await CreateTransport().SendAsync(PasswordResetMail.Create("reset-1@idp.test"), CancellationToken.None);

        var file = Directory.GetFiles(directory).Single();
        var message = await MimeMessage.LoadAsync(file);
        var from = message.From.Mailboxes.Single();
        var to = message.To.Mailboxes.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.Subject, Is.EqualTo(PasswordResetMail.Subject));
            Assert.That(message.TextBody?.ReplaceLineEndings("\n"), Is.EqualTo(PasswordResetMail.Body));
            Assert.That((from.Name, from.Address), Is.EqualTo(("どこでもBOX", "no-reply@idp.test")));
            Assert.That((to.Name, to.Address), Is.EqualTo(("山田 太郎", "taro.yamada@example.jp")));
            Assert.That(message.MessageId, Is.EqualTo("reset-1@idp.test"));
            Assert.That(message.Date, Is.EqualTo(Now));
            Assert.That(message.Headers["Auto-Submitted"], Is.EqualTo("auto-generated"));
        }
    }

    [Test]
    public async Task Send_JapaneseText_IsSevenBitWithEncodedWordSubjectAndCrlfLines()
    {
        await CreateTransport().SendAsync(PasswordResetMail.Create("reset-2@idp.test"), CancellationToken.None);

        var raw = await File.ReadAllTextAsync(Directory.GetFiles(directory).Single());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(raw.All(char.IsAscii), Is.True, "non-ASCII bytes in the file");
            Assert.That(raw, Does.Contain("\r\nSubject: =?utf-8?").IgnoreCase);
            Assert.That(raw, Does.Contain("\r\nContent-Type: text/plain; charset=utf-8").IgnoreCase);
            Assert.That(raw, Does.Not.Match("[^\r]\n"), "a line ends in a bare LF");
        }
    }

    [Test]
    public async Task Send_TwoMails_WritesTwoEmlFilesAndNoTemporaryFiles()
    {
        var transport = CreateTransport();

        await transport.SendAsync(PasswordResetMail.Create("a@idp.test"), CancellationToken.None);
        await transport.SendAsync(PasswordResetMail.Create("b@idp.test"), CancellationToken.None);

        var names = Directory.GetFiles(directory).Select(Path.GetFileName);
        Assert.That(names, Has.Exactly(2).Items.And.All.Match(@"^20261126T093015000Z-[0-9a-f]{32}\.eml$"));
    }

    [Test]
    public void Send_MalformedRecipient_ThrowsPermanentAndWritesNothing()
    {
        var mail = PasswordResetMail.Create("c@idp.test") with { ToAddress = "not an address" };

        var error = Assert.ThrowsAsync<MailTransportException>(() => CreateTransport().SendAsync(mail, CancellationToken.None));

        Assert.That(error.Kind, Is.EqualTo(MailFailureKind.Permanent));
        Assert.That(Directory.Exists(directory) ? Directory.GetFiles(directory) : [], Is.Empty);
    }

    private PickupMailTransport CreateTransport()
    {
        var options = Options.Create(new MailOptions { From = "どこでもBOX <no-reply@idp.test>", PickupDirectory = directory });
        var clock = new FakeTimeProvider(Now);
        return new PickupMailTransport(new MimeMessageFactory(options, clock), options, clock, NullLogger<PickupMailTransport>.Instance);
    }
}
