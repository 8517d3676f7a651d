namespace IdentityProvider.Hosting;

/// <summary>
/// Configuration section <c>DataProtection</c>: the certificate that encrypts the Data Protection
/// key ring stored in the database. The key ring protects session cookies, antiforgery tokens and
/// the stored token signing keys, so whoever reads the database reads them all unless it is set.
/// </summary>
public sealed class DataProtectionCertificateOptions
{
    public const string Section = "DataProtection";

    /// <summary>
    /// A PFX file (with <see cref="CertificatePassword"/>), or the SHA-1 thumbprint of a certificate
    /// with its private key in the CurrentUser or LocalMachine <c>My</c> store. RSA. Empty: the keys
    /// are stored unencrypted (a warning at start outside Development).
    /// </summary>
    public string? Certificate { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Certificates that encrypted keys still in the ring: after a rotation they only decrypt, while
    /// new keys are encrypted with <see cref="Certificate"/>. Drop one once every key it encrypted
    /// has expired (90 days after its creation, by Data Protection's default).
    /// </summary>
    public List<DataProtectionPreviousCertificate> PreviousCertificates { get; set; } = [];
}
