using IdentityProvider.Mail;

namespace IdentityProvider.Tests.Mail;

/// <summary>The mail as the outbox would hand it over: Japanese subject, name and body.</summary>
internal static class PasswordResetMail
{
    public const string Subject = "【どこでもBOX】パスワードリセット";

    public const string Body =
        "山田 太郎 様\n\n" +
        "パスワードリセットのご依頼を受け付けました。\n" +
        "以下のURLから14日以内に新しいパスワードを設定してください。\n\n" +
        "https://idp.example.jp/reset?code=TEST-ONLY-CODE\n";

    public static MailMessageContent Create(string messageId) => new()
    {
        ToAddress = "taro.yamada@example.jp",
        ToName = "山田 太郎",
        Subject = Subject,
        PlainTextBody = Body,
        MessageId = messageId,
    };
}
