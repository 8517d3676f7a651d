using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Keys;

/// <summary>
/// The credential that signs access tokens when it is not OpenIddict's first one (the RS256 key,
/// which ID tokens keep): set by <see cref="ConfigureServerKeys"/> each time the keys are loaded,
/// null while no key of the configured algorithm is active yet.
/// </summary>
public sealed class AccessTokenSigningKey
{
    private SigningCredentials? current;

    public SigningCredentials? Current
    {
        get => Volatile.Read(ref current);
        set => Volatile.Write(ref current, value);
    }
}
