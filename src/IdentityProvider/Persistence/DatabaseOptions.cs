using System.ComponentModel.DataAnnotations;

namespace IdentityProvider.Persistence;

/// <summary>Configuration section <c>Database</c>; the connection string is <c>ConnectionStrings:Default</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>SQLite is the embedded default; SQL Server and PostgreSQL are for production.</summary>
    [EnumDataType(typeof(DatabaseProvider))]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Apply pending migrations when the process starts. Convenient for the embedded default;
    /// production deployments run <c>migrate</c> once instead, so that nodes never race on schema.
    /// </summary>
    public bool MigrateOnStart { get; set; }
}
