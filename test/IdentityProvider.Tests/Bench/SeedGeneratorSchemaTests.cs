using System.Text.RegularExpressions;
using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IdentityProvider.Tests.Bench;

/// <summary>
/// bench/seed/generate.mjs writes users and tenants with plain SQL. When a migration adds a
/// required column, the benchmark's seeding fails; this catches it
/// here, where the migration is made, instead of in the next benchmark run.
/// </summary>
public sealed partial class SeedGeneratorSchemaTests
{
    [TestCase("userColumns", typeof(ApplicationUser))]
    [TestCase("tenantColumns", typeof(Tenant))]
    public void SeedGenerator_WritesEveryRequiredColumn_AndOnlyExistingOnes(string list, Type entity)
    {
        var script = File.ReadAllText(Path.Combine(RepositoryRoot(), "bench", "seed", "generate.mjs"));
        var match = new Regex($@"const {list} = \[(?<columns>[^\]]*)\]").Match(script);
        Assert.That(match.Success, Is.True, $"{list} not found in generate.mjs");
        var written = QuotedName().Matches(match.Groups["columns"].Value).Select(m => m.Groups[1].Value).ToList();

        using var db = new IdpDbContext(new DbContextOptionsBuilder<IdpDbContext>().UseSqlite("Data Source=:memory:").Options);
        var type = db.Model.FindEntityType(entity)!;
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = type.GetProperties().ToDictionary(p => p.GetColumnName(table)!, p => p);
        // A configured default only: GetDefaultValue() also answers the CLR default of value types.
        var required = columns.Where(c => !c.Value.IsColumnNullable(table)
                && c.Value.FindAnnotation(RelationalAnnotationNames.DefaultValue) is null
                && c.Value.FindAnnotation(RelationalAnnotationNames.DefaultValueSql) is null)
            .Select(c => c.Key);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.SupersetOf(required), "a NOT NULL column without a default that the seed does not write");
            Assert.That(columns.Keys, Is.SupersetOf(written), "the seed writes a column the table does not have");
        });
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IdentityProvider.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("IdentityProvider.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedName();
}
