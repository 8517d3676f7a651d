namespace IdentityProvider.Mail;

/// <summary>Every mail the product sends, as the manual names them (subjects in <see cref="IMailComposer"/>).</summary>
public enum MailTemplate
{
    /// <summary>【どこでもBOX】アカウントロック: values UserName, UnlockUrl, ExpiresAt.</summary>
    AccountLocked,

    /// <summary>【どこでもBOX】パスワードリセット: values UserName, ResetUrl, ExpiresAt.</summary>
    PasswordReset,

    /// <summary>【どこでもBOX】利用者登録のご案内: values UserName, InviterEmail, RegistrationUrl, ExpiresAt.</summary>
    UserInvitation,

    /// <summary>【どこでもBOX】メールアドレス変更登録: values UserName, ConfirmUrl, ExpiresAt.</summary>
    EmailChange,

    /// <summary>【どこでもBOX】ログイン方法の設定変更: values UserName, ChangeUrl, ExpiresAt.</summary>
    LoginMethodChange,

    /// <summary>【どこでもBOX】 Active Directoryアカウントのログイン用URL・接続ID通知 (SPEC §9): values UserName, InternetLoginUrl, LineLoginUrl, ConnectionId.</summary>
    ActiveDirectoryNotice,

    /// <summary>Notice that the password was reset and two-step verification registration cleared: values UserName, ResetAt.</summary>
    PasswordResetNotice,
}
