namespace IdentityProvider.Tests.BadInput;

/// <summary>The JSON type a field of a JSON body takes (what "wrong type" sends instead).</summary>
public enum JsonKind
{
    String,
    StringArray,
    Boolean,
}
