using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Pages.Account.Login;

/// <summary>What the login form posts.</summary>
public sealed class InputModel
{
    [Required(ErrorMessage = "Login_Error_EmailRequired")]
    [EmailAddress(ErrorMessage = "Login_Error_EmailFormat")]
    [MaxLength(256, ErrorMessage = "Login_Error_EmailFormat")]
    public string Email { get; set; } = string.Empty;

    [Required(ErrorMessage = "Login_Error_PasswordRequired")]
    [MaxLength(1024, ErrorMessage = "Login_Error_Invalid")]
    public string Password { get; set; } = string.Empty;
}
