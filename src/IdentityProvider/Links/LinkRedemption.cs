using IdentityProvider.Data;

namespace IdentityProvider.Links;

/// <summary>The outcome of presenting a link; <see cref="User"/> is set only when <see cref="Status"/> is Valid.</summary>
public sealed record LinkRedemption(LinkRedemptionStatus Status, ApplicationUser? User, UserLinkToken? Token);
