using IdentityProvider.BrowserTests.Pages;
using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.BrowserTests.Infrastructure;

/// <summary>A test's own user and authorization request, with the login page they led to.</summary>
public sealed record LoginAttempt(TestUser User, SignInRequest Request, LoginPage Page);
