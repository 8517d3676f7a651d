namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// One field of a request as it will be sent. <see cref="InArray"/>: an element of a JSON array
/// field. <see cref="Repeated"/>: a second JSON member of the same name (the "duplicated" input).
/// </summary>
public sealed record RequestField(string Name, FieldLocation Location, FieldValue Value, bool InArray = false, bool Repeated = false);
