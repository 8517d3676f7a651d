using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>One authorization request of the relying party, and what it must remember to finish it.</summary>
public sealed record SignInRequest(string ClientId, Uri AuthorizeUrl, string State, string Nonce, Pkce Pkce);
