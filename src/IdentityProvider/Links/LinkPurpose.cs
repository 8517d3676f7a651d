namespace IdentityProvider.Links;

/// <summary>What a mailed link does; a token issued for one purpose never serves another.</summary>
public enum LinkPurpose
{
    Unlock,
    PasswordReset,
}
