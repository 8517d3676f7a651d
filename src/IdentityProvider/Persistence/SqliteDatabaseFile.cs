namespace IdentityProvider.Persistence;

/// <summary>The SQLite database file this process uses, and whether it existed when the process started.</summary>
public sealed partial class SqliteDatabaseFile(string? path, bool existed)
{
    /// <summary>Not a SQLite file (another provider, or an in-memory database).</summary>
    public static readonly SqliteDatabaseFile None = new(null, existed: true);

    private int warned;

    public string? Path { get; } = path;

    public bool Existed { get; } = existed;

    /// <summary>Once per process: a warning naming the full path when the database was created by this start.</summary>
    public void WarnIfCreated(ILogger logger)
    {
        if (!Existed && Interlocked.Exchange(ref warned, 1) == 0)
        {
            LogCreated(logger, Path!);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Database: created a new, empty database at {Path} (ConnectionStrings:Default); if you expected an existing one, check the path")]
    private static partial void LogCreated(ILogger logger, string path);
}
