using IdentityProvider.Links;

namespace IdentityProvider.Recovery;

/// <summary>
/// How a reset ended: <see cref="LinkStatus"/> says whether the link worked (Valid) or why not;
/// <see cref="PasswordErrors"/> lists problems of the new password (the link is then still unused).
/// </summary>
public sealed record PasswordResetResult(LinkRedemptionStatus LinkStatus, IReadOnlyList<string> PasswordErrors)
{
    public bool Succeeded => LinkStatus == LinkRedemptionStatus.Valid && PasswordErrors.Count == 0;
}
