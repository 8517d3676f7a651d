using IdentityProvider.Login;

namespace IdentityProvider.Pages.Account.Login;

/// <summary>
/// What the login page shows besides the form: the links and buttons this server enables
/// (<see cref="LoginPageOptions"/>, R-1.1) and the answer to a refused post.
/// </summary>
public sealed class ViewModel
{
    /// <summary>The self-service portal link (SPEC §8); null hides it.</summary>
    public string? PortalUrl { get; init; }

    /// <summary>"パスワードを忘れた方はこちら"; null hides it.</summary>
    public string? ForgotPasswordUrl { get; init; }

    /// <summary>Federated login buttons, in the order shown.</summary>
    public IReadOnlyList<FederatedButton> FederatedButtons { get; init; } = [];

    /// <summary>The answer to a refused sign-in, in the user's language; null on a fresh page.</summary>
    public string? Error { get; init; }

    /// <summary>The error is the lock message: the page then points to the password reset.</summary>
    public bool Locked { get; init; }

    public static ViewModel For(LoginPageOptions features, string? error = null, bool locked = false) => new()
    {
        PortalUrl = features.PortalUrl,
        ForgotPasswordUrl = features.ForgotPasswordUrl,
        FederatedButtons = features.FederatedButtons,
        Error = error,
        Locked = locked,
    };
}
