using System.Data.Common;
using IdentityProvider.Data;
using IdentityProvider.Lockout;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace IdentityProvider.Tests.Migrations;

/// <summary>
/// The SQL that only SQL Server runs, checked where no SQL Server runs: Microsoft's T-SQL parser
/// (ScriptDom, SQL Server 2022 grammar) reads each batch the server would be sent, so a syntax
/// error or a CREATE TRIGGER that does not begin its batch fails here on every run, not only
/// where a Docker engine answers. The SQL Server fixtures run the same SQL for real.
/// </summary>
public sealed class SqlServerSqlTests
{
    /// <summary>Each SQL Server migration, up and down: the commands <c>Migrate()</c> sends, one batch each.</summary>
    public static IEnumerable<TestCaseData> Migrations()
    {
        using var db = SqlServerContext();
        var assembly = db.GetService<IMigrationsAssembly>();
        foreach (var id in assembly.Migrations.Keys)
        {
            var name = id[(id.IndexOf('_', StringComparison.Ordinal) + 1)..];
            yield return new TestCaseData(id, true).SetName($"SqlServerMigration_Up_ParsesAsTSql({name})");
            yield return new TestCaseData(id, false).SetName($"SqlServerMigration_Down_ParsesAsTSql({name})");
        }
    }

    [TestCaseSource(nameof(Migrations))]
    public void SqlServerMigration_ParsesAsTSql(string id, bool up)
    {
        using var db = SqlServerContext();
        var assembly = db.GetService<IMigrationsAssembly>();
        var ids = assembly.Migrations.Keys.ToList();
        var migration = assembly.CreateMigration(assembly.Migrations[id], db.Database.ProviderName!);
        var previous = ids.IndexOf(id) is > 0 and var index ? assembly.CreateMigration(assembly.Migrations[ids[index - 1]], db.Database.ProviderName!) : null;
        // As the migrator does: Up against the migration's own model, Down against the one before it.
        var commands = db.GetService<IMigrationsSqlGenerator>().Generate(
            up ? migration.UpOperations : migration.DownOperations,
            Finalized(db, up ? migration.TargetModel : previous?.TargetModel));

        Assert.That(commands, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            foreach (var command in commands)
            {
                Assert.That(ParseErrors(command.CommandText), Is.Empty, command.CommandText);
            }
        });
    }

    /// <summary>
    /// The counters' insert-if-absent (<c>WITH (UPDLOCK, HOLDLOCK)</c>) and their conditional
    /// updates, as EF Core sends them to SQL Server: recorded by an interceptor that answers in
    /// the server's place (no row changed, so the insert runs too).
    /// </summary>
    [Test]
    public async Task FailureCounters_OnSqlServer_SendBatchesThatParseAsTSql()
    {
        var recorder = new Recorder();
        await using var db = SqlServerContext(recorder);
        var counters = new FailureCounters(db, new FakeTimeProvider(DateTimeOffset.UtcNow), Options.Create(new LockoutOptions()));
        var key = FailureCounters.AddressKey("nobody@example.test");

        var result = await counters.RecordFailureAsync(key, CancellationToken.None);
        await counters.ResetAsync(key, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(FailureResult.AlreadyLocked), "no row changed anywhere");
            Assert.That(recorder.Commands, Has.Some.Contains("WITH (UPDLOCK, HOLDLOCK)"), "the insert-if-absent ran");
            Assert.That(recorder.Commands, Has.Count.EqualTo(5), "increment, insert, increment, lock, reset");
            foreach (var command in recorder.Commands)
            {
                Assert.That(ParseErrors(command), Is.Empty, command);
            }
        });
    }

    /// <summary>
    /// The parser's errors for one batch, and a CREATE/ALTER TRIGGER that is not the batch's first
    /// statement (the server refuses that; the parser may read it without complaint).
    /// </summary>
    private static List<string> ParseErrors(string batch)
    {
        // No script when the text does not parse at all: the errors say why.
        var script = new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(batch), out var errors) as TSqlScript;
        var found = errors.Select(e => $"line {e.Line}: {e.Message}").ToList();
        foreach (var parsed in script?.Batches ?? [])
        {
            found.AddRange(parsed.Statements.Skip(1)
                .Where(s => s is CreateTriggerStatement or CreateOrAlterTriggerStatement or AlterTriggerStatement)
                .Select(s => $"line {s.StartLine}: a trigger's CREATE or ALTER must begin its batch"));
        }

        return found;
    }

    /// <summary>The SQL Server migrations project's design-time context: a model and SQL generator, no server.</summary>
    private static IdpDbContext SqlServerContext() => new IdentityProvider.Migrations.SqlServer.DesignTimeFactory().CreateDbContext([]);

    /// <summary>A SQL Server context whose commands go to <paramref name="recorder"/> instead of a server.</summary>
    private static IdpDbContext SqlServerContext(Recorder recorder) =>
        new(new DbContextOptionsBuilder<IdpDbContext>()
            .UseSqlServer("Server=127.0.0.1,1;Database=none;User Id=none;Password=none;TrustServerCertificate=True")
            .AddInterceptors(recorder)
            .Options);

    private static IModel? Finalized(DbContext db, IModel? model) =>
        model is null ? null : db.GetService<IModelRuntimeInitializer>().Initialize(model, designTime: true);

    /// <summary>Stands in for the server: connections "open", each command is recorded and changes no row.</summary>
    private sealed class Recorder : DbConnectionInterceptor, IDbCommandInterceptor
    {
        public List<string> Commands { get; } = [];

        public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            InterceptionResult.Suppress();

        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(InterceptionResult.Suppress());

        public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            InterceptionResult.Suppress();

        public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            ValueTask.FromResult(InterceptionResult.Suppress());

        public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Commands.Add(command.CommandText);
            return InterceptionResult<int>.SuppressWithResult(0);
        }

        public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(NonQueryExecuting(command, eventData, result));
    }
}
