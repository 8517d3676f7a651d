namespace IdentityProvider.Authorization;

/// <summary>
/// What consent means for one authorization request: go on (under the permanent authorization
/// <paramref name="AuthorizationId"/> when the client needs consent), or stop with
/// <paramref name="Result"/> (the consent screen, <c>consent_required</c>, <c>access_denied</c>).
/// </summary>
public sealed record ConsentDecision(IResult? Result, string? AuthorizationId)
{
    public static ConsentDecision NotNeeded { get; } = new(null, null);
}
