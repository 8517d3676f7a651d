namespace IdentityProvider.Tests.BadInput;

/// <summary>Whose cookies a request carries (a copy, so that no case leaves a cookie to the next).</summary>
public enum BrowserIdentity
{
    /// <summary>No session; the antiforgery cookie that matches <see cref="BadInputWorld.AnonymousAntiforgery"/>.</summary>
    Anonymous,

    /// <summary>The session of <see cref="BadInputWorld.SignedInUser"/>, with its antiforgery cookie.</summary>
    SignedIn,
}
