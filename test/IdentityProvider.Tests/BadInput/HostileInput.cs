namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// One hostile input: how it changes a valid request (one field, or the request as a whole), which
/// fields it applies to, and whether it is part of the PostgreSQL subset or of the English sample.
/// </summary>
public sealed record HostileInput(string Name, InputClass Class)
{
    public Func<Field, bool> AppliesTo { get; init; } = _ => true;

    /// <summary>Changes the baseline request; the field is null for request-level inputs. The world gives what an input needs of the server's (a token).</summary>
    public required Action<BadInputRequest, Field?, BadInputWorld> Apply { get; init; }

    /// <summary>Sent with <c>Accept-Language: en</c>: a page must then answer in English.</summary>
    public bool English { get; init; }

    /// <summary>
    /// Part of the subset run on PostgreSQL: the inputs whose fate depends on the database (NUL and
    /// bytes that are not UTF-8 reach its text type, long values its indexes, quotes its parser).
    /// </summary>
    public bool OnPostgreSql { get; init; }

    public bool IsRequestLevel => Class == InputClass.Request;

    public override string ToString() => Name;
}
