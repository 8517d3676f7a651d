namespace IdentityProvider.Tests.Durability;

/// <summary>
/// One client's refresh-token chain as the client knows it: the newest refresh token it received
/// in a completed 200, and whether a request with that token has gone unanswered since (then the
/// server may have redeemed it, and the answer carrying its successor was lost with the server).
/// Used by one worker at a time.
/// </summary>
public sealed class RefreshChain(int id, string email, string token, int run)
{
    public int Id { get; } = id;

    public string Email { get; } = email;

    /// <summary>The newest refresh token received in a completed 200.</summary>
    public string Latest { get; private set; } = token;

    /// <summary>The server run that answered with <see cref="Latest"/>.</summary>
    public int LatestRun { get; private set; } = run;

    /// <summary>Whether a request with <see cref="Latest"/> got no complete answer, so the token may be spent.</summary>
    public bool MaybeSpent { get; set; }

    /// <summary>Refreshes answered with 200 in this chain.</summary>
    public int Refreshes { get; private set; }

    /// <summary>Whether the chain ended (its token spent by a lost request, or refused): no longer refreshed, nor checked at the end.</summary>
    public bool Ended { get; set; }

    public void Received(string token, int run)
    {
        Latest = token;
        LatestRun = run;
        MaybeSpent = false;
        Refreshes++;
    }
}
