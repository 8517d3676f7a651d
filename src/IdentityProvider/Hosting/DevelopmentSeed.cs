using IdentityProvider.Audit;
using IdentityProvider.Clients;
using IdentityProvider.Data;
using IdentityProvider.Tenants;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Hosting;

/// <summary>
/// Development only: a demo tenant, its contract holder with a password, and a demo relying party,
/// so that a fresh clone can sign in at once. Never runs in another environment.
/// </summary>
public static partial class DevelopmentSeed
{
    public const string TenantName = "demo";
    public const string HolderEmail = "holder@demo.example";
    public const string HolderPassword = "Dokodemo-Demo-2026!";
    public const string ClientId = "demo-rp";
    public const string RedirectUri = "http://127.0.0.1:7000/callback";

    public static async Task RunAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        services.GetRequiredService<OperatorContext>().Set(OperatorContext.ForSystem("development-seed"));
        var db = services.GetRequiredService<IdpDbContext>();
        if (!await db.Tenants.AnyAsync(t => t.Name == TenantName, cancellationToken))
        {
            await services.GetRequiredService<TenantDirectory>().CreateTenantAsync(new TenantCreation
            {
                Name = TenantName,
                Plan = TenantPlan.Basic,
                HolderEmail = HolderEmail,
                HolderPassword = HolderPassword,
            }, cancellationToken);

            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            var holder = await users.FindByEmailAsync(HolderEmail);
            holder!.EmailConfirmed = true;
            await users.UpdateAsync(holder);
        }

        var clients = services.GetRequiredService<ClientRegistry>();
        if ((await clients.ListAsync(cancellationToken)).All(c => c.ClientId != ClientId))
        {
            await clients.AddAsync(new ClientRegistration
            {
                ClientId = ClientId,
                DisplayName = "Demo relying party",
                Public = true,
                RedirectUris = [RedirectUri, "http://localhost:7000/callback"],
                PostLogoutRedirectUris = ["http://127.0.0.1:7000/", "http://localhost:7000/"],
            }, cancellationToken);
        }

        LogSeeded(logger, TenantName, HolderEmail, HolderPassword, ClientId, RedirectUri);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Development data: tenant '{Tenant}', contract holder {Email} with password {Password} (a demo password, Development only), " +
        "public client '{ClientId}' (PKCE) with redirect URI {RedirectUri}. Sign in at /Account/Login, or start an authorization " +
        "request at /connect/authorize for that client and redirect URI, with response_type=code, scope \"openid email profile\" and a PKCE challenge.")]
    private static partial void LogSeeded(ILogger logger, string tenant, string email, string password, string clientId, string redirectUri);
}
