using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Pages.Account.ResetPassword;

/// <summary>What the reset form posts: the new password twice (R-7.4; the policy is checked by the service).</summary>
public sealed class InputModel
{
    [Required(ErrorMessage = "ResetPassword_Error_PasswordRequired")]
    [MaxLength(1024, ErrorMessage = "Password_TooLong")]
    public string NewPassword { get; set; } = string.Empty;

    [Required(ErrorMessage = "ResetPassword_Error_ConfirmRequired")]
    [Compare(nameof(NewPassword), ErrorMessage = "ResetPassword_Error_Mismatch")]
    public string ConfirmPassword { get; set; } = string.Empty;
}
