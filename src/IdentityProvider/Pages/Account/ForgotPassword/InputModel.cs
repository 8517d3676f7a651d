using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Pages.Account.ForgotPassword;

/// <summary>What the forgot-password form posts.</summary>
public sealed class InputModel
{
    [Required(ErrorMessage = "Login_Error_EmailRequired")]
    [EmailAddress(ErrorMessage = "Login_Error_EmailFormat")]
    [MaxLength(256, ErrorMessage = "Login_Error_EmailFormat")]
    public string Email { get; set; } = string.Empty;
}
