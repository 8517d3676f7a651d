namespace IdentityProvider.Data;

/// <summary>ログイン方法: exactly one per user (SPEC §1).</summary>
public enum LoginMethod
{
    Password = 0,
    Google = 1,
    Facebook = 2,
    Microsoft = 3,
    DAccount = 4,
    ActiveDirectory = 5,
}
