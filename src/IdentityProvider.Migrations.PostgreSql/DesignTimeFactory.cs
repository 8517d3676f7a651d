using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentityProvider.Migrations.PostgreSql;

/// <summary>Lets dotnet-ef build the model for PostgreSql without starting the web host.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<IdpDbContext>
{
    public IdpDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<IdpDbContext>();
        options.UseNpgsql("Host=localhost;Database=design-time", x => x.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name));
        return new IdpDbContext(options.Options);
    }
}
