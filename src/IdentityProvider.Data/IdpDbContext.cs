using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using OpenIddict.EntityFrameworkCore.Models;

namespace IdentityProvider.Data;

/// <summary>
/// The one database of the identity provider: tenants and users (ASP.NET Core Identity's user
/// tables; no role tables, a user's role is <see cref="ApplicationUser.Role"/>),
/// OpenIddict's applications, authorizations, scopes and tokens, data-protection keys, the
/// token signing keys and the browser sessions. Every node of a cluster shares it.
/// </summary>
public sealed class IdpDbContext(DbContextOptions<IdpDbContext> options)
    : IdentityUserContext<ApplicationUser, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>The database trigger(s) that refuse UPDATE of audit rows, and DELETE of young ones (migrations AuditAppendOnly, AuditRetentionFloor).</summary>
    public const string AuditAppendOnlyTrigger = "AuditEvents_AppendOnly";

    /// <summary>
    /// The database refuses to delete an audit row younger than this many days before its own clock
    /// (migration AuditRetentionFloor): only the retention job deletes audit rows, and only older
    /// ones, and not even the server's own database login can delete recent history.
    /// </summary>
    public const int AuditDeletionFloorDays = 365;

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<ServerKey> ServerKeys => Set<ServerKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<MailOutboxMessage> MailOutbox => Set<MailOutboxMessage>();

    public DbSet<UserLinkToken> UserLinkTokens => Set<UserLinkToken>();

    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    public DbSet<SignInFailureCounter> SignInFailureCounters => Set<SignInFailureCounter>();

    public DbSet<RevokedAccessToken> RevokedAccessTokens => Set<RevokedAccessToken>();

    public DbSet<UserSession> UserSessions => Set<UserSession>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        // Pruning walks tokens and authorizations oldest first (TokenPruner) with a cursor on these;
        // without them each batch would read the whole table.
        builder.Entity<OpenIddictEntityFrameworkCoreToken>(token =>
        {
            token.HasIndex(t => new { t.CreationDate, t.Id });

            // OpenIddict updates a token as a whole row (a redemption rewrites every column), and
            // SQLite rewrites each index whose columns an UPDATE sets: the creation date never
            // changes, so leaving it out of UPDATEs keeps this index out of every redemption.
            token.Property(t => t.CreationDate).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
        });
        builder.Entity<OpenIddictEntityFrameworkCoreAuthorization>(authorization => authorization.HasIndex(a => new { a.CreationDate, a.Id }));

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

        builder.Entity<MailOutboxMessage>(mail =>
        {
            mail.Property(m => m.Template).HasMaxLength(50);
            mail.Property(m => m.Recipient).HasMaxLength(256);
            mail.Property(m => m.RecipientName).HasMaxLength(200);
            mail.Property(m => m.Subject).HasMaxLength(500);
            mail.Property(m => m.MessageId).HasMaxLength(200);
            mail.Property(m => m.LastError).HasMaxLength(2000);
            // The drain job's query: unsent, not failed, due.
            mail.HasIndex(m => new { m.SentAt, m.FailedAt, m.NextAttemptAt });
        });

        builder.Entity<UserLinkToken>(link =>
        {
            link.Property(l => l.Purpose).HasMaxLength(30);
            link.Property(l => l.TokenHash).HasMaxLength(64);
            link.Property(l => l.SecurityStamp).HasMaxLength(256);
            link.HasIndex(l => l.TokenHash).IsUnique();
            link.HasIndex(l => new { l.UserId, l.Purpose });
            // The retention job deletes links some time after they expired.
            link.HasIndex(l => l.ExpiresAt);
            link.HasOne<ApplicationUser>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AuditEvent>(audit =>
        {
            audit.Property(a => a.Kind).HasMaxLength(50);
            audit.Property(a => a.Outcome).HasMaxLength(20);
            audit.Property(a => a.Reason).HasMaxLength(200);
            audit.Property(a => a.Subject).HasMaxLength(256);
            audit.Property(a => a.IpAddress).HasMaxLength(45);
            audit.Property(a => a.UserAgent).HasMaxLength(512);
            audit.HasIndex(a => new { a.TenantId, a.OccurredAt });
            audit.HasIndex(a => a.OccurredAt);
            // Declared so that EF Core writes SQL that works on a table with triggers (no OUTPUT
            // clause on SQL Server); the triggers themselves are created by the migration.
            audit.ToTable(table => table.HasTrigger(AuditAppendOnlyTrigger));
        });

        builder.Entity<SignInFailureCounter>(counter =>
        {
            counter.HasKey(c => c.Key);
            counter.Property(c => c.Key).HasMaxLength(60);
            counter.HasIndex(c => c.UpdatedAt);
        });

        builder.Entity<RevokedAccessToken>(revoked =>
        {
            revoked.HasKey(r => r.TokenId);
            revoked.Property(r => r.TokenId).HasMaxLength(100);
            revoked.Property(r => r.ClientId).HasMaxLength(100);
            revoked.HasIndex(r => r.ExpiresAt);
        });

        builder.Entity<UserSession>(session =>
        {
            session.Property(s => s.Id).HasMaxLength(64);
            session.Property(s => s.SecurityStamp).HasMaxLength(256);
            session.Property(s => s.UserAgent).HasMaxLength(200);
            session.Property(s => s.IpAddress).HasMaxLength(45);
            session.HasIndex(s => s.UserId);
            session.HasIndex(s => s.ExpiresAt);
            // Deleting a user ends their sessions.
            session.HasOne<ApplicationUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
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

    // Overrides rather than the SavingChanges event: a pooled context drops event handlers when it is reset.
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var autoDetect = DetectChangesOnce();
        try
        {
            RefuseAuditChanges();
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var autoDetect = DetectChangesOnce();
        try
        {
            RefuseAuditChanges();
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <summary>
    /// One scan of the tracked entities for changes per save, here. Without it the audit check, the
    /// save interceptors and EF Core's own save would each scan every tracked entity again. Returns
    /// the setting to restore after the save.
    /// </summary>
    private bool DetectChangesOnce()
    {
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        if (autoDetect)
        {
            ChangeTracker.DetectChanges();
            ChangeTracker.AutoDetectChangesEnabled = false;
        }

        return autoDetect;
    }

    /// <summary>
    /// The audit log is append-only (SPEC §11): a tracked audit row that was changed or removed is a
    /// bug, refused here with a clear message before the database trigger would refuse it.
    /// </summary>
    private void RefuseAuditChanges()
    {
        if (ChangeTracker.Entries<AuditEvent>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("Audit events are append-only: they cannot be updated or deleted.");
        }
    }
}
