namespace IdentityProvider.Common;

/// <summary>
/// An operator request that cannot be carried out as asked (bad input, unknown thing, duplicate).
/// Thrown before anything is written; the admin API turns it into problem details, the CLI into a
/// one-line message and a non-zero exit code.
/// </summary>
public sealed class RequestRejectedException(RejectionKind kind, string message) : Exception(message)
{
    public RejectionKind Kind { get; } = kind;

    public static RequestRejectedException Invalid(string message) => new(RejectionKind.Invalid, message);

    public static RequestRejectedException NotFound(string message) => new(RejectionKind.NotFound, message);

    public static RequestRejectedException Conflict(string message) => new(RejectionKind.Conflict, message);
}

public enum RejectionKind
{
    Invalid,
    NotFound,
    Conflict,
}
