using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using IdentityProvider.Common;
using IdentityProvider.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace IdentityProvider.Hosting;

public static partial class DataProtectionExtensions
{
    /// <summary>
    /// The keys that protect cookies, antiforgery tokens and our stored signing keys: in the shared
    /// database, so that any node can read what another wrote, and encrypted there with
    /// <c>DataProtection:Certificate</c> when it is set. Decryption names its certificates
    /// explicitly (<c>UnprotectKeysWithAnyCertificate</c>): on Linux Data Protection would otherwise
    /// look for the private key in a certificate store, and previous certificates keep older keys
    /// readable across a rotation.
    /// </summary>
    public static IHostApplicationBuilder AddIdpDataProtection(this IHostApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection()
            .SetApplicationName("IdentityProvider")
            .PersistKeysToDbContext<IdpDbContext>();

        var options = builder.Configuration.GetSection(DataProtectionCertificateOptions.Section).Get<DataProtectionCertificateOptions>()
            ?? new DataProtectionCertificateOptions();
        builder.Services.AddOptions<DataProtectionCertificateOptions>().BindConfiguration(DataProtectionCertificateOptions.Section);
        if (string.IsNullOrWhiteSpace(options.Certificate))
        {
            return builder;
        }

        var current = Load(options.Certificate, options.CertificatePassword, "DataProtection:Certificate");
        var previous = options.PreviousCertificates
            .Select((entry, index) => Load(entry.Certificate, entry.Password, $"DataProtection:PreviousCertificates:{index}:Certificate"));
        dataProtection.ProtectKeysWithCertificate(current)
            .UnprotectKeysWithAnyCertificate([current, .. previous]);
        return builder;
    }

    /// <summary>Outside Development, one warning at start when the key ring is stored unencrypted.</summary>
    public static void WarnIfKeysUnencrypted(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() && string.IsNullOrWhiteSpace(app.Services.GetRequiredService<IOptions<DataProtectionCertificateOptions>>().Value.Certificate))
        {
            LogKeysUnencrypted(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IdentityProvider.Startup"));
        }
    }

    private static X509Certificate2 Load(string? reference, string? password, string key)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new StartupConfigurationException($"{key} is empty: give a PFX file or a certificate thumbprint.");
        }

        var certificate = File.Exists(reference) ? FromFile(reference, password, key)
            : Thumbprint().IsMatch(reference) ? FromStore(reference, key)
            : throw new StartupConfigurationException($"{key}: no file '{reference}', and it is not a certificate thumbprint (40 hexadecimal digits).");
        if (!certificate.HasPrivateKey || certificate.GetRSAPublicKey() is null)
        {
            throw new StartupConfigurationException($"{key}: the certificate '{certificate.Subject}' must be an RSA certificate with its private key.");
        }

        return certificate;
    }

    private static X509Certificate2 FromFile(string path, string? password, string key)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (CryptographicException exception)
        {
            throw new StartupConfigurationException($"{key}: cannot read the PFX file '{path}' ({exception.Message.TrimEnd('.')}); check its password.", exception);
        }
    }

    private static X509Certificate2 FromStore(string thumbprint, string key)
    {
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (Exception exception) when (exception is CryptographicException or PlatformNotSupportedException)
            {
                continue; // no such store here (on Linux there is no LocalMachine 'My')
            }

            if (store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false) is [var found, ..])
            {
                return found;
            }
        }

        throw new StartupConfigurationException($"{key}: no certificate with thumbprint {thumbprint} in the CurrentUser or LocalMachine 'My' store.");
    }

    [GeneratedRegex("^[0-9A-Fa-f]{40}$")]
    private static partial Regex Thumbprint();

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "DataProtection:Certificate is not set: the Data Protection keys (sessions, stored signing keys) are stored unencrypted in the database")]
    private static partial void LogKeysUnencrypted(ILogger logger);
}
