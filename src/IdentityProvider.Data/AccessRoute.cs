namespace IdentityProvider.Data;

/// <summary>アクセス経路 .</summary>
public enum AccessRoute
{
    LineAndInternet = 0,
    LineOnly = 1,
}
