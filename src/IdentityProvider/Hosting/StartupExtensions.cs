using IdentityProvider.Keys;

namespace IdentityProvider.Hosting;

public static class StartupExtensions
{
    /// <summary>
    /// Brings the database to where the server can run: migrations (when configured), the first
    /// signing and encryption keys, and in Development the demo data.
    /// </summary>
    public static async Task InitializeIdentityProviderAsync(this IHost host, bool seedDevelopmentData, CancellationToken cancellationToken = default)
    {
        using var scope = host.Services.CreateScope();
        var services = scope.ServiceProvider;
        await ServerPreparation.RunAsync(services, cancellationToken);

        if (seedDevelopmentData && services.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            await DevelopmentSeed.RunAsync(services, services.GetRequiredService<ILoggerFactory>().CreateLogger("IdentityProvider.Startup"), cancellationToken);
        }
    }
}
