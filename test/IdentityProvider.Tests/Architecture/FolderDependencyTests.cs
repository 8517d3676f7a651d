namespace IdentityProvider.Tests.Architecture;

/// <summary>
/// The arrows between the top-level folders of <c>src/IdentityProvider</c> run one way:
/// <c>Program</c> → <c>Hosting</c> (the composition root) → capability folders →
/// <c>Persistence</c> (all that knows a database engine) → <c>Data</c> (the model). No folder uses
/// one that uses it back. Read from the compiled types, method bodies included; constants are
/// inlined by the compiler and so not seen.
/// </summary>
[TestFixture]
public sealed class FolderDependencyTests
{
    private const string Hosting = "Hosting";
    private const string Persistence = "Persistence";

    /// <summary>
    /// What <c>Persistence</c> may use of this solution: the data model, and <c>Common</c>'s few
    /// shared types (the start-up configuration error); no capability folder.
    /// </summary>
    private static readonly string[] BelowPersistence = ["Data", "Common"];

    private static readonly Lazy<FolderGraph> Graph = new(() => FolderGraph.Of(typeof(Program).Assembly));

    [Test]
    public void Folders_HaveNoDependencyCycle()
    {
        var cycles = Graph.Value.Cycles();

        Assert.That(cycles, Is.Empty, () => "Dependency cycles between folders:" + Environment.NewLine
            + string.Concat(cycles.Select(Graph.Value.Describe)));
    }

    [Test]
    public void Hosting_IsUsedByProgramOnly()
    {
        var offenders = Graph.Value.Folders
            .Where(folder => folder is not (FolderGraph.Program or Hosting))
            .Where(folder => Graph.Value.From(folder).ContainsKey(Hosting))
            .SelectMany(folder => Graph.Value.From(folder)[Hosting])
            .ToList();

        Assert.That(offenders, Is.Empty, () => "Only Program may use Hosting, the composition root:" + Environment.NewLine
            + string.Join(Environment.NewLine, offenders));
    }

    [Test]
    public void Persistence_UsesNoCapabilityFolder()
    {
        var offenders = Graph.Value.From(Persistence)
            .Where(arrow => !BelowPersistence.Contains(arrow.Key))
            .SelectMany(arrow => arrow.Value)
            .ToList();

        Assert.That(offenders, Is.Empty, () => "Persistence may use only " + string.Join(", ", BelowPersistence) + ":" + Environment.NewLine
            + string.Join(Environment.NewLine, offenders));
    }

    /// <summary>The rules above mean something only if the graph sees references that exist in IL alone.</summary>
    [Test]
    public void Graph_SeesAReferenceMadeOnlyInAMethodBody()
    {
        Assert.That(Graph.Value.From(FolderGraph.Program).GetValueOrDefault(Hosting),
            Does.Contain("Program → IdentityProvider.Hosting.IdentityProviderExtensions"));
    }

    [Test]
    public void Cycles_OfAGraphWithALoop_AreReportedWithTheirPathAndTypes()
    {
        var graph = new FolderGraph();
        graph.Add("Hosting", "Login", "Hosting.A → Login.B");
        graph.Add("Login", "Persistence", "Login.B → Persistence.C");
        graph.Add("Persistence", "Audit", "Persistence.C → Audit.D");
        graph.Add("Audit", "Login", "Audit.D → Login.E");

        var cycles = graph.Cycles();

        Assert.That(cycles, Has.Count.EqualTo(1));
        Assert.That(cycles[0], Is.EqualTo(new[] { "Audit", "Login", "Persistence", "Audit" }));
        Assert.That(graph.Describe(cycles[0]), Does.Contain("Audit.D → Login.E").And.Contain("Persistence.C → Audit.D"));
    }

    [Test]
    public void Cycles_OfAnAcyclicGraph_AreNone()
    {
        var graph = new FolderGraph();
        graph.Add("Hosting", "Login", "x");
        graph.Add("Login", "Persistence", "y");
        graph.Add("Hosting", "Persistence", "z");

        Assert.That(graph.Cycles(), Is.Empty);
    }
}
