namespace IdentityProvider.Links;

public enum LinkRedemptionStatus
{
    Valid,
    /// <summary>No such token (mistyped, forged, or of another purpose).</summary>
    Unknown,
    Used,
    Expired,
    /// <summary>The password changed after the link was sent.</summary>
    Superseded,
}
