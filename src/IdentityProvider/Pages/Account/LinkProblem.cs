using IdentityProvider.Links;

namespace IdentityProvider.Pages.Account;

/// <summary>What _LinkProblem shows for a mailed link that no longer works, and for which flow.</summary>
public sealed record LinkProblem(LinkRedemptionStatus Status, bool IsUnlock)
{
    /// <summary>A link that never existed is 404; one that existed but is spent is 410 Gone.</summary>
    public int StatusCode => Status == LinkRedemptionStatus.Unknown ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone;

    public string MessageKey => "Link_" + Status;
}
