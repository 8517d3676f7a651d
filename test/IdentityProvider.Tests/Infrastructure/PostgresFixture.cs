namespace IdentityProvider.Tests.Infrastructure;

/// <summary>
/// One <see cref="PostgresCluster"/> per test process, started on first use and stopped at process
/// exit, so that every PostgreSQL test pays the ~1 s startup once and only when PostgreSQL tests run.
/// Tests get isolation from <see cref="PostgresCluster.CreateDatabaseAsync"/> (a fresh database each).
/// </summary>
/// <remarks>
/// Deliberately not an NUnit <c>[SetUpFixture]</c>: those apply per namespace, which is easy to get
/// wrong, and would start the server even for a run filtered down to tests that do not need it.
/// A process killed before exit leaves the cluster behind; the next <see cref="PostgresCluster.StartAsync"/>
/// on the machine removes it.
/// </remarks>
public static class SharedPostgres
{
    private static readonly Lazy<Task<PostgresCluster>> Cluster =
        new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The process-wide cluster; the first caller starts it, everyone else awaits the same start.</summary>
    public static Task<PostgresCluster> GetAsync() => Cluster.Value;

    private static async Task<PostgresCluster> StartAsync()
    {
        var cluster = await PostgresCluster.StartAsync(CancellationToken.None).ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return cluster;
    }
}
