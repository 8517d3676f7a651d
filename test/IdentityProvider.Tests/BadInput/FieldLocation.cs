namespace IdentityProvider.Tests.BadInput;

/// <summary>Where a request carries a field.</summary>
public enum FieldLocation
{
    Query,
    Form,
    Json,
    Route,
    Header,
}
