using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace IdentityProvider.Migrations.SqlServer;

/// <summary>Lets dotnet-ef build the model for SqlServer without starting the web host.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<IdpDbContext>
{
    public IdpDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<IdpDbContext>();
        options.UseSqlServer("Server=localhost;Database=design-time;Trusted_Connection=True;TrustServerCertificate=True", x => x.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name));
        return new IdpDbContext(options.Options);
    }
}
