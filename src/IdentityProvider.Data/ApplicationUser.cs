using Microsoft.AspNetCore.Identity;

namespace IdentityProvider.Data;

/// <summary>
/// A tenant user. The login ID is the e-mail address, unique across all tenants (SPEC §1), so
/// <see cref="IdentityUser{TKey}.UserName"/> always equals <see cref="IdentityUser{TKey}.Email"/>.
/// </summary>
public sealed class ApplicationUser : IdentityUser<Guid>
{
    public Guid TenantId { get; set; }

    public Tenant? Tenant { get; set; }

    public UserRole Role { get; set; }

    public LoginMethod LoginMethod { get; set; } = LoginMethod.Password;

    public string? DisplayName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// consecutive wrong one-time codes, counted apart from wrong passwords (Identity's
    /// AccessFailedCount), so that neither kind of failure resets or inflates the other.
    /// </summary>
    public int FailedOneTimeCodeCount { get; set; }

    /// <summary>
    /// When wrong passwords locked the account; null when not locked. It stops password
    /// sign-in only: sessions and refresh tokens the owner already holds keep working, or anyone who
    /// knows an address could sign its owner out everywhere. Identity's LockoutEnd is left for an
    /// administrative lock, which the token endpoint also honours.
    /// </summary>
    public DateTimeOffset? LockedAt { get; set; }

    /// <summary>
    /// Identity's administrative lock (<see cref="IdentityUser{TKey}.LockoutEnd"/>), judged as
    /// <c>UserManager.IsLockedOutAsync</c> does, at <paramref name="now"/> from the caller's clock:
    /// the token endpoint asks on every code and refresh grant and needs no UserManager for it.
    /// </summary>
    public bool IsAdministrativelyLockedAt(DateTimeOffset now) => LockoutEnabled && LockoutEnd is { } end && end >= now;

    /// <summary>R-1.2 needs the last sign-in to decide when two-step verification is due again.</summary>
    public DateTimeOffset? LastSignInAt { get; set; }
}
