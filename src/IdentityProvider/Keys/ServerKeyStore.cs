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

    /// <summary>
    /// The kinds of key the server keeps current, each with its own rotation: RS256 signs ID tokens
    /// (and access tokens when they are to be RS256), ES256 signs access tokens, A256KW
    /// encrypts codes and refresh tokens (and, through a key derived from it, signs them:
    /// <see cref="PrivateTokenSigningKey"/>). The first kind of a use is its primary one.
    /// </summary>
    public static readonly IReadOnlyList<(ServerKeyUse Use, string Algorithm)> Kinds =
    [
        (ServerKeyUse.Signing, SecurityAlgorithms.RsaSha256),
        (ServerKeyUse.Signing, SecurityAlgorithms.EcdsaSha256),
        (ServerKeyUse.Encryption, SecurityAlgorithms.Aes256KW),
    ];

    /// <summary>
    /// Creates a key of every <see cref="Kinds">kind</see> that has no current one. On an empty
    /// table the keys are used at once; a kind added to a running deployment (ES256 next to an
    /// existing RS256 key) is published first and used only after <see cref="DefaultActivationDelay"/>,
    /// so that every node and every relying party's cached JWKS knows it before a token it signed.
    /// </summary>
    public async Task EnsureKeysAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var first = !await db.ServerKeys.AnyAsync(cancellationToken);
        foreach (var (use, algorithm) in Kinds)
        {
            var hasCurrent = await db.ServerKeys.AnyAsync(k => k.Use == use && k.Algorithm == algorithm && k.RetiredAt == null, cancellationToken);
            if (!hasCurrent)
            {
                db.ServerKeys.Add(Generate(use, algorithm, now, activatesAt: first ? now : now + DefaultActivationDelay));
                await db.SaveChangesAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Adds a new key of each kind of <paramref name="use"/>, published at once and used from
    /// now + <paramref name="activationDelay"/>, when the current keys retire. Retired keys stay
    /// published (signing) or usable for decryption (encryption) for <see cref="RetentionAfterRetirement"/>.
    /// Running nodes pick the change up within <see cref="ServerKeyRefresher.Interval"/>.
    /// </summary>
    /// <returns>The new keys, the primary kind's first.</returns>
    public async Task<IReadOnlyList<ServerKey>> RotateAsync(ServerKeyUse use, TimeSpan? activationDelay = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var activatesAt = now + (activationDelay ?? DefaultActivationDelay);
        var current = await db.ServerKeys.Where(k => k.Use == use && k.RetiredAt == null).ToListAsync(cancellationToken);
        foreach (var key in current)
        {
            key.RetiredAt = activatesAt;
            key.RemoveAfter = activatesAt + RetentionAfterRetirement;
        }

        var created = Kinds.Where(k => k.Use == use).Select(k => Generate(use, k.Algorithm, now, activatesAt)).ToList();
        db.ServerKeys.AddRange(created);
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>
    /// The keys to load, the one to use first: the oldest key of the primary kind that is active now
    /// (activated, not retired) — when several nodes created a first key at the same moment, they all
    /// agree on it without coordination — then the active keys of the other kinds, then every other
    /// key still published.
    /// </summary>
    public IReadOnlyList<(ServerKey Entity, SecurityKey Key)> Load(ServerKeyUse use) =>
        Order(use).Select(k => (k, Materialize(k))).ToList();

    /// <summary>
    /// What <see cref="Load"/> would return, by id and whether each key is active: cheap to compare
    /// across time. The activity matters on its own: an ES256 key that activates keeps its place
    /// in the order but starts signing access tokens.
    /// </summary>
    public string Fingerprint()
    {
        var now = time.GetUtcNow();
        return string.Join(";", new[] { ServerKeyUse.Signing, ServerKeyUse.Encryption }.SelectMany(Order)
            .Select(k => k.Id.ToString("N") + (IsActive(k, now) ? "" : "~")));
    }

    public async Task<IReadOnlyList<ServerKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        var keys = await db.ServerKeys.AsNoTracking().ToListAsync(cancellationToken);
        return keys.OrderBy(k => k.Use).ThenBy(k => k.CreatedAt).ToList();
    }

    /// <summary>Activated and not retired at <paramref name="now"/>: the key signs or encrypts.</summary>
    public static bool IsActive(ServerKey key, DateTimeOffset now) => key.ActivatesAt <= now && (key.RetiredAt is null || key.RetiredAt > now);

    private List<ServerKey> Order(ServerKeyUse use)
    {
        var now = time.GetUtcNow();
        var keys = db.ServerKeys.AsNoTracking().Where(k => k.Use == use).ToList()
            .Where(k => k.RemoveAfter is null || k.RemoveAfter > now)
            .ToList();
        bool Active(ServerKey k) => IsActive(k, now);
        // ConfigureServerKeys picks the key of each kind of token from this order, and keeps it through
        // OpenIddict's sort (symmetric keys first), so the JWKS lists the keys in this order too.
        return keys.Where(Active).OrderBy(k => Rank(k)).ThenBy(k => k.CreatedAt).ThenBy(k => k.Id)
            .Concat(keys.Where(k => !Active(k)).OrderByDescending(k => k.CreatedAt))
            .ToList();

        static int Rank(ServerKey key)
        {
            var rank = 0;
            foreach (var kind in Kinds.Where(k => k.Use == key.Use))
            {
                if (kind.Algorithm == key.Algorithm)
                {
                    return rank;
                }

                rank++;
            }

            return rank;
        }
    }

    private ServerKey Generate(ServerKeyUse use, string algorithm, DateTimeOffset now, DateTimeOffset activatesAt)
    {
        byte[] material;
        switch (algorithm)
        {
            case SecurityAlgorithms.RsaSha256:
            {
                // RS256 is what every OpenID Connect relying party must accept (OIDC Core §15.1).
                using var rsa = RSA.Create(2048);
                material = rsa.ExportRSAPrivateKey();
                break;
            }

            case SecurityAlgorithms.EcdsaSha256:
            {
                // P-256 (RFC 7518 §3.4): a signature costs a small fraction of an RSA-2048 one.
                using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                material = ec.ExportECPrivateKey();
                break;
            }

            default:
                // Codes and refresh tokens are only ever read by this server: a symmetric key suffices.
                material = RandomNumberGenerator.GetBytes(32);
                break;
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

    /// <summary>
    /// The HMAC-SHA-256 key that signs the tokens only this server reads (authorization codes, refresh
    /// tokens and OpenIddict's other private tokens) inside their encryption with
    /// <paramref name="encryptionKey"/> (stored as <paramref name="entity"/>). It is derived from that
    /// key with HKDF-SHA-256 (RFC 5869) under a label of its own, so the two never share bytes, and it
    /// lives, activates, retires and is removed with it: no key of its own to store or rotate, and a
    /// token stays verifiable exactly as long as it stays decryptable. It is never published: OpenIddict's JWKS and discovery list asymmetric keys
    /// only. An HMAC costs far less to make and to check than an ES256 signature.
    /// </summary>
    public static SymmetricSecurityKey PrivateTokenSigningKey(ServerKey entity, SymmetricSecurityKey encryptionKey) =>
        new(HKDF.DeriveKey(HashAlgorithmName.SHA256, encryptionKey.Key, 32, info: PrivateTokenSigningLabel))
        {
            KeyId = entity.Id.ToString("N") + "-hs256",
        };

    private static readonly byte[] PrivateTokenSigningLabel = "IdentityProvider private token signing HS256 v1"u8.ToArray();

    private SecurityKey Materialize(ServerKey key)
    {
        var material = protector.Unprotect(Convert.FromBase64String(key.ProtectedMaterial));
        var keyId = key.Id.ToString("N");
        switch (key.Algorithm)
        {
            case SecurityAlgorithms.RsaSha256:
                var rsa = RSA.Create();
                rsa.ImportRSAPrivateKey(material, out _);
                return new RsaSecurityKey(rsa) { KeyId = keyId };
            case SecurityAlgorithms.EcdsaSha256:
                var ec = ECDsa.Create();
                ec.ImportECPrivateKey(material, out _);
                return new ECDsaSecurityKey(ec) { KeyId = keyId };
            default:
                return new SymmetricSecurityKey(material) { KeyId = keyId };
        }
    }
}
