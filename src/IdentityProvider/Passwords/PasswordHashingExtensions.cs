using IdentityProvider.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentityProvider.Passwords;

public static class PasswordHashingExtensions
{
    /// <summary>
    /// <see cref="Argon2idPasswordHasher"/> in place of Identity's PBKDF2 hasher, with its
    /// <see cref="Argon2idOptions"/> checked at start. A singleton: it holds nothing but its settings.
    /// </summary>
    public static IServiceCollection AddArgon2idPasswordHasher(this IServiceCollection services)
    {
        services.AddOptions<Argon2idOptions>()
            .BindConfiguration(Argon2idOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.Replace(ServiceDescriptor.Singleton<IPasswordHasher<ApplicationUser>, Argon2idPasswordHasher>());
        return services;
    }
}
