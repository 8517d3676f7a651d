using System.Security.Cryptography;
using IdentityProvider.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace IdentityProvider.Keys;

/// <summary>
/// Token signing and encryption keys, persisted in the shared database so that every node signs
/// with and accepts the same keys. Key material is protected with Data Protection before storage.
/// </summary>
public sealed class ServerKeyStore(IdpDbContext db, IDataProtectionProvider dataProtection, TimeProvider time)
{
    private const string Purpose = "IdentityProvider.Keys.ServerKeyStore.v1";

    /// <summary>How long a retired key stays published and usable for validation (longest token lifetime plus margin).</summary>
    public static readonly TimeSpan RetentionAfterRetirement = TimeSpan.FromDays(30);

    private readonly IDataProtector protector = dataProtection.CreateProtector(Purpose);

    /// <summary>Creates the first signing and encryption keys when none exist.</summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken = default)
    {
        foreach (var use in new[] { ServerKeyUse.Signing, ServerKeyUse.Encryption })
        {
            var now = time.GetUtcNow();
            var hasActive = await db.ServerKeys.AnyAsync(k => k.Use == use && k.RetiredAt == null, cancellationToken);
            if (!hasActive)
            {
                db.ServerKeys.Add(Generate(use, now));
                await db.SaveChangesAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Adds a new key for <paramref name="use"/> and retires the current ones. Retired keys stay
    /// published (signing) or usable for decryption (encryption) for <see cref="RetentionAfterRetirement"/>.
    /// Nodes pick the new key up when they restart.
    /// </summary>
    public async Task<ServerKey> RotateAsync(ServerKeyUse use, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var active = await db.ServerKeys.Where(k => k.Use == use && k.RetiredAt == null).ToListAsync(cancellationToken);
        foreach (var key in active)
        {
            key.RetiredAt = now;
            key.RemoveAfter = now + RetentionAfterRetirement;
        }

        var created = Generate(use, now);
        db.ServerKeys.Add(created);
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>
    /// The keys to load, the one to use first. Several nodes may have created a first key at the same
    /// moment; all of them then use the oldest active one, so they agree without coordination.
    /// </summary>
    public IReadOnlyList<(ServerKey Entity, SecurityKey Key)> Load(ServerKeyUse use)
    {
        var now = time.GetUtcNow();
        var keys = db.ServerKeys.AsNoTracking().Where(k => k.Use == use).ToList()
            .Where(k => k.RemoveAfter is null || k.RemoveAfter > now)
            .ToList();
        // Active keys first (oldest first), then retired ones still within their retention.
        // OpenIddict sorts credentials with an insertion sort for short lists, which keeps this order.
        var ordered = keys.Where(k => k.RetiredAt is null).OrderBy(k => k.CreatedAt)
            .Concat(keys.Where(k => k.RetiredAt is not null).OrderByDescending(k => k.RetiredAt))
            .ToList();
        return ordered.Select(k => (k, Materialize(k))).ToList();
    }

    public async Task<IReadOnlyList<ServerKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        var keys = await db.ServerKeys.AsNoTracking().ToListAsync(cancellationToken);
        return keys.OrderBy(k => k.Use).ThenBy(k => k.CreatedAt).ToList();
    }

    private ServerKey Generate(ServerKeyUse use, DateTimeOffset now)
    {
        string algorithm;
        byte[] material;
        if (use == ServerKeyUse.Signing)
        {
            // RS256 is what every OpenID Connect relying party must accept (OIDC Core §15.1).
            using var rsa = RSA.Create(2048);
            material = rsa.ExportRSAPrivateKey();
            algorithm = SecurityAlgorithms.RsaSha256;
        }
        else
        {
            // Codes and refresh tokens are only ever read by this server: a symmetric key suffices.
            material = RandomNumberGenerator.GetBytes(32);
            algorithm = SecurityAlgorithms.Aes256KW;
        }

        return new ServerKey
        {
            Id = Guid.NewGuid(),
            Use = use,
            Algorithm = algorithm,
            ProtectedMaterial = Convert.ToBase64String(protector.Protect(material)),
            CreatedAt = now,
        };
    }

    private SecurityKey Materialize(ServerKey key)
    {
        var material = protector.Unprotect(Convert.FromBase64String(key.ProtectedMaterial));
        var keyId = key.Id.ToString("N");
        if (key.Use == ServerKeyUse.Signing)
        {
            var rsa = RSA.Create();
            rsa.ImportRSAPrivateKey(material, out _);
            return new RsaSecurityKey(rsa) { KeyId = keyId };
        }

        return new SymmetricSecurityKey(material) { KeyId = keyId };
    }
}
