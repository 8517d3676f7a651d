namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// What one request of the table must get: the status, the shape of the answer, and what it may
/// change in the database. <see cref="Baseline"/> stands for the endpoint's own baseline answer.
/// </summary>
public sealed record Expect(int Status, Answer Answer)
{
    public static Expect Baseline { get; } = new(0, Answer.Baseline);

    public DbChanges Changes { get; init; } = DbChanges.None;

    /// <summary>The OAuth error code (JSON, or in the redirect), when one is required.</summary>
    public string? Error { get; init; }

    /// <summary>Where a redirect must lead: a path on the server, or the client's registered redirect URI.</summary>
    public string? Location { get; init; }

    /// <summary>An element id the page must contain.</summary>
    public string? Marker { get; init; }

    public Expect Changing(DbChanges changes) => this with { Changes = changes };

    public override string ToString() =>
        Answer == Answer.Baseline ? "the baseline answer"
        : $"{Status} {Answer}{(Error is null ? "" : " " + Error)}{(Location is null ? "" : " → " + Location)}{(Marker is null ? "" : " #" + Marker)}, changing {Changes}";
}
