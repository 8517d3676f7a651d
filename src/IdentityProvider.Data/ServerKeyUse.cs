namespace IdentityProvider.Data;

public enum ServerKeyUse
{
    Signing = 0,
    Encryption = 1,
}
