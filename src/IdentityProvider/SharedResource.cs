namespace IdentityProvider;

/// <summary>
/// Marker for the user-facing texts in <c>Resources/SharedResource*.resx</c>: the neutral file is
/// Japanese (the manual's wording, R-1.1), <c>.en</c> is English for browsers that ask for it.
/// </summary>
public sealed class SharedResource;
