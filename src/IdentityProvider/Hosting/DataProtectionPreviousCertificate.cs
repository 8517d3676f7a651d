namespace IdentityProvider.Hosting;

/// <summary>One entry of <c>DataProtection:PreviousCertificates</c>: a PFX file or thumbprint, and its password.</summary>
public sealed class DataProtectionPreviousCertificate
{
    public string? Certificate { get; set; }

    public string? Password { get; set; }
}
