namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// What a request may change in the database, per table (at most so many rows added, changed,
/// removed); every other table must stay exactly as it was.
/// </summary>
public sealed record DbChanges
{
    private DbChanges(IReadOnlyDictionary<string, TableChange> tables) => Tables = tables;

    public static DbChanges None { get; } = new(new Dictionary<string, TableChange>());

    public IReadOnlyDictionary<string, TableChange> Tables { get; }

    public DbChanges Add(string table, int rows = 1) => With(table, new TableChange(rows, 0, 0));

    public DbChanges Change(string table, int rows = 1) => With(table, new TableChange(0, rows, 0));

    public DbChanges Remove(string table, int rows = 1) => With(table, new TableChange(0, 0, rows));

    /// <summary>A row added, or the existing one changed (a counter).</summary>
    public DbChanges Upsert(string table) => With(table, new TableChange(1, 1, 0));

    public TableChange For(string table) => Tables.TryGetValue(table, out var change) ? change : new TableChange(0, 0, 0);

    public override string ToString() =>
        Tables.Count == 0 ? "nothing" : string.Join(", ", Tables.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}"));

    private DbChanges With(string table, TableChange change)
    {
        var tables = new Dictionary<string, TableChange>(Tables, StringComparer.Ordinal);
        tables[table] = tables.TryGetValue(table, out var before) ? before.Plus(change) : change;
        return new DbChanges(tables);
    }
}
