namespace IdentityProvider.Data;

/// <summary>基本プラン / 無料トライアル.</summary>
public enum TenantPlan
{
    Basic = 0,
    FreeTrial = 1,
}
