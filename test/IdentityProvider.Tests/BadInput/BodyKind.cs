namespace IdentityProvider.Tests.BadInput;

/// <summary>The body an endpoint takes.</summary>
public enum BodyKind
{
    None,
    Form,
    Json,
}
