using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityProvider.Tests.Migrations;

/// <summary>
/// Each migrations project's model snapshot matches the model, so that no change to the entities
/// or <see cref="IdpDbContext"/> ships without its migration for every database. The context is
/// built the way <c>dotnet ef</c> builds it, by the project's own design-time factory; the check
/// compares the snapshot with the model and connects to no server (the factories' connection
/// strings name servers that do not run here), so it runs for SQL Server too, Docker or not.
/// </summary>
public sealed class PendingModelChangesTests
{
    public static IEnumerable<TestCaseData> MigrationsProjects()
    {
        yield return Project("IdentityProvider.Migrations.Sqlite", () => new IdentityProvider.Migrations.Sqlite.DesignTimeFactory().CreateDbContext([]));
        yield return Project("IdentityProvider.Migrations.SqlServer", () => new IdentityProvider.Migrations.SqlServer.DesignTimeFactory().CreateDbContext([]));
        yield return Project("IdentityProvider.Migrations.PostgreSql", () => new IdentityProvider.Migrations.PostgreSql.DesignTimeFactory().CreateDbContext([]));
    }

    [TestCaseSource(nameof(MigrationsProjects))]
    public void MigrationsProject_Snapshot_MatchesTheModel(string project, Func<IdpDbContext> create)
    {
        using var db = create();

        var migrations = db.GetService<IMigrationsAssembly>();
        Assert.Multiple(() =>
        {
            Assert.That(migrations.Assembly.GetName().Name, Is.EqualTo(project));
            Assert.That(migrations.ModelSnapshot, Is.Not.Null, "the project has a model snapshot");
            Assert.That(db.Database.HasPendingModelChanges(), Is.False,
                $"the model has changes without a migration: dotnet ef migrations add <Name> --project src/{project} --startup-project src/{project}");
        });
    }

    private static TestCaseData Project(string name, Func<IdpDbContext> create) =>
        new TestCaseData(name, create).SetName($"MigrationsProject_Snapshot_MatchesTheModel({name["IdentityProvider.Migrations.".Length..]})");
}
