namespace IdentityProvider.Data;

/// <summary>
/// A token signing or encryption key, shared by every node. The key material is protected with
/// ASP.NET Core Data Protection (whose own keys live in this database too) before it is stored.
/// </summary>
public sealed class ServerKey
{
    public Guid Id { get; set; }

    public ServerKeyUse Use { get; set; }

    /// <summary>JOSE algorithm the key serves, e.g. RS256 or A256KW.</summary>
    public required string Algorithm { get; set; }

    public required string ProtectedMaterial { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// When the key starts to sign or encrypt. A rotated-in key is published first and used only
    /// from this moment, by which time every node has loaded it.
    /// </summary>
    public DateTimeOffset ActivatesAt { get; set; }

    /// <summary>
    /// From this moment the key no longer signs or encrypts; a retired signing key stays published in the
    /// JWKS until <see cref="RemoveAfter"/> so that tokens it signed still validate.
    /// </summary>
    public DateTimeOffset? RetiredAt { get; set; }

    public DateTimeOffset? RemoveAfter { get; set; }
}
