namespace IdentityProvider.Login;

/// <summary>
/// Configuration section <c>LoginPage</c>: which of the links and buttons the login page
/// shows. Each one appears only when what it leads to is enabled on this server, so that a user
/// never follows a control into a dead end.
/// </summary>
public sealed class LoginPageOptions
{
    public const string Section = "LoginPage";

    /// <summary>"パスワードを忘れた方はこちら"; null hides it.</summary>
    public string? ForgotPasswordUrl { get; set; }

    /// <summary>The self-service portal link (SPEC §8); null hides it.</summary>
    public string? PortalUrl { get; set; }

    /// <summary>Federated login buttons, in the order shown, each with the URL that starts it.</summary>
    public List<FederatedButton> FederatedButtons { get; set; } = [];
}

public sealed class FederatedButton
{
    /// <summary>Google, Facebook, Microsoft, DAccount or ActiveDirectory: selects the label.</summary>
    public required string Method { get; set; }

    public required string Url { get; set; }
}
