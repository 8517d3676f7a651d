using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentityProvider.Data;

/// <summary>
/// The one database of the identity provider: tenants and users (ASP.NET Core Identity),
/// OpenIddict's applications, authorizations, scopes and tokens, data-protection keys and the
/// token signing keys. Every node of a cluster shares it.
/// </summary>
public sealed class IdpDbContext(DbContextOptions<IdpDbContext> options)
    : IdentityDbContext<ApplicationUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<ServerKey> ServerKeys => Set<ServerKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<RevokedAccessToken> RevokedAccessTokens => Set<RevokedAccessToken>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        builder.Entity<Tenant>(tenant =>
        {
            tenant.HasIndex(t => t.Name).IsUnique();
            tenant.Property(t => t.Name).HasMaxLength(100);
            tenant.Property(t => t.Plan).HasConversion<string>().HasMaxLength(20);
            tenant.Property(t => t.AccessRoute).HasConversion<string>().HasMaxLength(20);
        });

        builder.Entity<ApplicationUser>(user =>
        {
            user.HasOne(u => u.Tenant).WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
            user.HasIndex(u => u.TenantId);
            // SPEC §1: the login ID (e-mail) is unique across all tenants.
            user.HasIndex(u => u.NormalizedEmail).IsUnique();
            user.Property(u => u.Role).HasConversion<string>().HasMaxLength(20);
            user.Property(u => u.LoginMethod).HasConversion<string>().HasMaxLength(20);
            user.Property(u => u.DisplayName).HasMaxLength(200);
        });

        builder.Entity<ServerKey>(key =>
        {
            key.Property(k => k.Use).HasConversion<string>().HasMaxLength(20);
            key.Property(k => k.Algorithm).HasMaxLength(20);
            key.HasIndex(k => new { k.Use, k.CreatedAt });
        });

        builder.Entity<RevokedAccessToken>(revoked =>
        {
            revoked.HasKey(r => r.TokenId);
            revoked.Property(r => r.TokenId).HasMaxLength(100);
            revoked.Property(r => r.ClientId).HasMaxLength(100);
            revoked.HasIndex(r => r.ExpiresAt);
        });

        if (Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite")
        {
            // SQLite has no native date type: store DateTimeOffset as a sortable integer so that
            // range queries (expiry, audit) run in the database rather than in memory.
            foreach (var entity in builder.Model.GetEntityTypes())
            {
                foreach (var property in entity.GetProperties()
                    .Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
                {
                    property.SetValueConverter(new DateTimeOffsetToBinaryConverter());
                }
            }
        }
    }
}
