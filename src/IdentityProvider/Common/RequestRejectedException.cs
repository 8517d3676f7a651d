namespace IdentityProvider.Common;

/// <summary>
/// An operator request that cannot be carried out as asked (bad input, unknown thing, duplicate).
/// Thrown before anything is written; the admin API turns it into problem details, the CLI into a
/// one-line message and a non-zero exit code.
/// </summary>
/// <remarks>
/// A refusal about one input names it by its admin API (JSON) name in <see cref="Field"/> and at
/// the start of the message (<c>redirectUris: …</c>); the CLI renames it to its flag with
/// <see cref="NamingField"/>, so that neither surface talks about the other's spelling.
/// </remarks>
public sealed class RequestRejectedException : Exception
{
    public RequestRejectedException(RejectionKind kind, string message)
        : this(kind, message, field: null, shownField: null)
    {
    }

    private RequestRejectedException(RejectionKind kind, string reason, string? field, string? shownField)
        : base(shownField is null ? reason : $"{shownField}: {reason}")
    {
        Kind = kind;
        Reason = reason;
        Field = field;
    }

    public RejectionKind Kind { get; }

    /// <summary>The input the refusal is about, by its admin API (JSON, camelCase) name; null when it is not about one input.</summary>
    public string? Field { get; }

    /// <summary>The message without the input's name.</summary>
    public string Reason { get; }

    public static RequestRejectedException Invalid(string message) => new(RejectionKind.Invalid, message);

    /// <summary>A refusal of one input; <paramref name="field"/> is its JSON name (<c>redirectUris</c>).</summary>
    public static RequestRejectedException Invalid(string field, string reason) => new(RejectionKind.Invalid, reason, field, field);

    public static RequestRejectedException NotFound(string message) => new(RejectionKind.NotFound, message);

    public static RequestRejectedException Conflict(string message) => new(RejectionKind.Conflict, message);

    public static RequestRejectedException TooLarge(string message) => new(RejectionKind.TooLarge, message);

    public static RequestRejectedException UnsupportedMediaType(string message) => new(RejectionKind.UnsupportedMediaType, message);

    /// <summary>The same refusal with the input named as the caller knows it (a command-line flag).</summary>
    public RequestRejectedException NamingField(string shownField) => new(Kind, Reason, Field, shownField);
}

public enum RejectionKind
{
    Invalid,
    NotFound,
    Conflict,

    /// <summary>The request body is larger than the operation takes (HTTP 413).</summary>
    TooLarge,

    /// <summary>The request body is not in a format the operation takes (HTTP 415).</summary>
    UnsupportedMediaType,
}
