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

    /// <summary>
    /// Default wait between publishing a rotated-in key and signing with it: comfortably more than
    /// <see cref="ServerKeyRefresher.Interval"/>, so every node (and every relying party caching the
    /// JWKS for a while) knows the key before the first token it signs.
    /// </summary>
    public static readonly TimeSpan DefaultActivationDelay = TimeSpan.FromHours(1);

    private readonly IDataProtector protector = dataProtection.CreateProtector(Purpose);

    /// <summary>Creates the first signing and encryption keys when none exist.</summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken = default)
    {
        foreach (var use in new[] { ServerKeyUse.Signing, ServerKeyUse.Encryption })
        {
            var now = time.GetUtcNow();
            var hasCurrent = await db.ServerKeys.AnyAsync(k => k.Use == use && k.RetiredAt == null, cancellationToken);
            if (!hasCurrent)
            {
                db.ServerKeys.Add(Generate(use, now, activatesAt: now));
                await db.SaveChangesAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Adds a new key for <paramref name="use"/>, published at once and used from
    /// now + <paramref name="activationDelay"/>, when the current keys retire. Retired keys stay
    /// published (signing) or usable for decryption (encryption) for <see cref="RetentionAfterRetirement"/>.
    /// Running nodes pick the change up within <see cref="ServerKeyRefresher.Interval"/>.
    /// </summary>
    public async Task<ServerKey> RotateAsync(ServerKeyUse use, TimeSpan? activationDelay = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var activatesAt = now + (activationDelay ?? DefaultActivationDelay);
        var current = await db.ServerKeys.Where(k => k.Use == use && k.RetiredAt == null).ToListAsync(cancellationToken);
        foreach (var key in current)
        {
            key.RetiredAt = activatesAt;
            key.RemoveAfter = activatesAt + RetentionAfterRetirement;
        }

        var created = Generate(use, now, activatesAt);
        db.ServerKeys.Add(created);
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>
    /// The keys to load, the one to use first: the oldest key that is active now (activated, not
    /// retired) — when several nodes created a first key at the same moment, they all agree on it
    /// without coordination — then every other key still published.
    /// </summary>
    public IReadOnlyList<(ServerKey Entity, SecurityKey Key)> Load(ServerKeyUse use) =>
        Order(use).Select(k => (k, Materialize(k))).ToList();

    /// <summary>What <see cref="Load"/> would return, by id: cheap to compare across time.</summary>
    public string Fingerprint() =>
        string.Join(";", new[] { ServerKeyUse.Signing, ServerKeyUse.Encryption }.SelectMany(Order).Select(k => k.Id.ToString("N")));

    public async Task<IReadOnlyList<ServerKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        var keys = await db.ServerKeys.AsNoTracking().ToListAsync(cancellationToken);
        return keys.OrderBy(k => k.Use).ThenBy(k => k.CreatedAt).ToList();
    }

    private List<ServerKey> Order(ServerKeyUse use)
    {
        var now = time.GetUtcNow();
        var keys = db.ServerKeys.AsNoTracking().Where(k => k.Use == use).ToList()
            .Where(k => k.RemoveAfter is null || k.RemoveAfter > now)
            .ToList();
        bool Active(ServerKey k) => k.ActivatesAt <= now && (k.RetiredAt is null || k.RetiredAt > now);
        // OpenIddict sorts credentials with an insertion sort for short lists, which keeps this order.
        return keys.Where(Active).OrderBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .Concat(keys.Where(k => !Active(k)).OrderByDescending(k => k.CreatedAt))
            .ToList();
    }

    private ServerKey Generate(ServerKeyUse use, DateTimeOffset now, DateTimeOffset activatesAt)
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
            ActivatesAt = activatesAt,
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
