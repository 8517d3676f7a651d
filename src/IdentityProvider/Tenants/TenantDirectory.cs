using IdentityProvider.Audit;
using IdentityProvider.Common;
using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Tenants;

/// <summary>
/// Tenants and their users as operators provision them; the CLI and the admin API both call this.
/// Each creation commits together with its audit events (SPEC §11), naming the operator as the reason.
/// </summary>
public sealed class TenantDirectory(IdpDbContext db, UserManager<ApplicationUser> users, TimeProvider time, AuditLog audit, IOperatorContext operatorContext)
{
    /// <summary>R-6.4: a free trial ends 30 days after it starts.</summary>
    public static readonly TimeSpan TrialLength = TimeSpan.FromDays(30);

    public async Task<TenantSummary> CreateTenantAsync(TenantCreation request, CancellationToken cancellationToken = default)
    {
        var name = TenantInput.Name(request.Name, "name");
        if (!Enum.IsDefined(request.Plan))
        {
            throw RequestRejectedException.Invalid("plan", "the plan must be Basic or FreeTrial.");
        }

        var email = TenantInput.Email(request.HolderEmail, "holderEmail");
        if (await db.Tenants.AnyAsync(t => t.Name == name, cancellationToken))
        {
            throw RequestRejectedException.Conflict($"A tenant named '{name}' already exists.");
        }

        await EnsureEmailFreeAsync(email);
        var now = time.GetUtcNow();
        var tenant = new Tenant
        {
            Id = Guid.NewGuid(),
            Name = name,
            Plan = request.Plan,
            TwoFactorEnabled = request.TwoFactorEnabled,
            CreatedAt = now,
            TrialEndsAt = request.Plan == TenantPlan.FreeTrial ? now + TrialLength : null,
        };

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync(cancellationToken);
            var holder = await CreateUserAsync(tenant, email, (request.HolderPassword, "holderPassword"), UserRole.ContractHolder, displayName: null, now);
            tenant.ContractHolderId = holder.Id;
            audit.Add(AuditKind.TenantCreated, success: true, reason: operatorContext.Operator, tenantId: tenant.Id, subject: tenant.Name);
            audit.Add(AuditKind.UserCreated, success: true, reason: operatorContext.Operator, user: holder);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Summarize(tenant, holder.Email);
        }
        catch (DbUpdateException)
        {
            // Checked above; only a concurrent request creating the same name or address gets here.
            db.ChangeTracker.Clear();
            throw RequestRejectedException.Conflict($"The tenant '{name}' or the address '{email}' was just created by another request.");
        }
    }

    public async Task<IReadOnlyList<TenantSummary>> ListTenantsAsync(CancellationToken cancellationToken = default)
    {
        var rows = await (from t in db.Tenants.AsNoTracking()
                          join u in db.Users.AsNoTracking() on t.ContractHolderId equals u.Id into holders
                          from h in holders.DefaultIfEmpty()
                          orderby t.Name
                          select new { Tenant = t, HolderEmail = h == null ? null : h.Email }).ToListAsync(cancellationToken);
        return rows.Select(r => Summarize(r.Tenant, r.HolderEmail)).ToList();
    }

    public async Task<TenantSummary> GetTenantAsync(string name, CancellationToken cancellationToken = default)
    {
        var row = await (from t in db.Tenants.AsNoTracking()
                         where t.Name == name
                         join u in db.Users.AsNoTracking() on t.ContractHolderId equals u.Id into holders
                         from h in holders.DefaultIfEmpty()
                         select new { Tenant = t, HolderEmail = h == null ? null : h.Email }).FirstOrDefaultAsync(cancellationToken)
            ?? throw RequestRejectedException.NotFound($"No tenant named {OperatorInput.Quote(name)}.");
        return Summarize(row.Tenant, row.HolderEmail);
    }

    public async Task<UserSummary> GetUserAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var row = await (from u in db.Users.AsNoTracking()
                         where u.Id == id
                         join t in db.Tenants.AsNoTracking() on u.TenantId equals t.Id
                         select new { User = u, TenantName = t.Name }).FirstOrDefaultAsync(cancellationToken)
            ?? throw RequestRejectedException.NotFound($"No user with id '{id}'.");
        return Summarize(row.User, row.TenantName);
    }

    public async Task<UserSummary> CreateUserAsync(UserCreation request, CancellationToken cancellationToken = default)
    {
        if (request.Role is not (UserRole.User or UserRole.Admin))
        {
            throw RequestRejectedException.Invalid("role", "the role must be User or Admin; the contract holder is created with the tenant.");
        }

        // JSON may say null where C# says "never null": the admin API binds without nullability checks.
        var tenantName = request.TenantName?.Trim();
        if (string.IsNullOrEmpty(tenantName))
        {
            throw RequestRejectedException.Invalid("tenantName", "the tenant name is required.");
        }

        OperatorInput.RefuseHiddenControl(tenantName, "tenantName");

        var email = TenantInput.Email(request.Email, "email");
        if (string.IsNullOrEmpty(request.Password))
        {
            throw RequestRejectedException.Invalid("password", "a password is required.");
        }

        var displayName = OperatorInput.DisplayName(request.DisplayName, "displayName");
        var tenant = await db.Tenants.FirstOrDefaultAsync(t => t.Name == tenantName, cancellationToken)
            ?? throw RequestRejectedException.NotFound($"No tenant named {OperatorInput.Quote(tenantName)}.");
        await EnsureEmailFreeAsync(email);
        ApplicationUser user;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            user = await CreateUserAsync(tenant, email, (request.Password, "password"), request.Role, displayName, time.GetUtcNow());
            audit.Add(AuditKind.UserCreated, success: true, reason: operatorContext.Operator, user: user);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            throw RequestRejectedException.Conflict($"The address '{email}' was just registered by another request.");
        }

        return Summarize(user, tenant.Name);
    }

    /// <param name="password">The password (none: registered through the invitation mail) and the input it came from.</param>
    private async Task<ApplicationUser> CreateUserAsync(Tenant tenant, string email, (string? Value, string Field) password, UserRole role, string? displayName, DateTimeOffset now)
    {
        var user = new ApplicationUser
        {
            Id = Guid.NewGuid(),
            TenantId = tenant.Id,
            UserName = email,
            Email = email,
            Role = role,
            LoginMethod = LoginMethod.Password,
            DisplayName = displayName,
            CreatedAt = now,
        };

        var result = password.Value is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password.Value);
        if (!result.Succeeded)
        {
            // DuplicateEmail cannot normally happen (checked above) but two requests may race.
            var duplicate = result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName");
            var message = string.Join(" ", result.Errors.Select(e => e.Description));
            throw duplicate ? RequestRejectedException.Conflict(message)
                : result.Errors.All(e => e.Code.StartsWith("Password", StringComparison.Ordinal)) ? RequestRejectedException.Invalid(password.Field, message)
                : RequestRejectedException.Invalid(message);
        }

        return user;
    }

    private async Task EnsureEmailFreeAsync(string email)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            throw RequestRejectedException.Conflict($"The e-mail address '{email}' is already used by a user.");
        }
    }

    private static UserSummary Summarize(ApplicationUser user, string tenantName) =>
        new(user.Id, user.Email!, tenantName, user.Role.ToString(), user.LoginMethod.ToString(), user.CreatedAt);

    private static TenantSummary Summarize(Tenant tenant, string? holderEmail) => new(
        tenant.Id, tenant.Name, tenant.Plan.ToString(), tenant.AccessRoute.ToString(), tenant.TwoFactorEnabled, holderEmail, tenant.CreatedAt, tenant.TrialEndsAt);
}
