using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// Every row of every table (found through the database's catalog, so a table a later issue adds is
/// covered without being listed), as a hash per primary key (from the EF Core model; the whole row
/// for a table the model does not know). Two snapshots tell which rows a request added, changed
/// and removed.
/// </summary>
public sealed class DatabaseSnapshot
{
    private readonly Dictionary<string, Dictionary<string, string>> tables;

    private DatabaseSnapshot(Dictionary<string, Dictionary<string, string>> tables) => this.tables = tables;

    public static Task<DatabaseSnapshot> TakeAsync(IdpTestHost host) =>
        host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var keys = db.Model.GetEntityTypes()
                .Where(e => e.GetTableName() is not null && e.FindPrimaryKey() is not null)
                .GroupBy(e => e.GetTableName()!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()).ToArray(), StringComparer.Ordinal);
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            try
            {
                var result = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
                foreach (var (schema, table) in await TablesAsync(connection, host.Database.Provider))
                {
                    result[table] = await RowsAsync(connection, schema, table, keys.GetValueOrDefault(table));
                }

                return new DatabaseSnapshot(result);
            }
            finally
            {
                await connection.CloseAsync();
            }
        });

    /// <summary>What changed from <paramref name="before"/> to this snapshot, per table that changed.</summary>
    public IReadOnlyDictionary<string, TableChange> Since(DatabaseSnapshot before)
    {
        var changes = new Dictionary<string, TableChange>(StringComparer.Ordinal);
        foreach (var table in tables.Keys.Union(before.tables.Keys))
        {
            var now = tables.GetValueOrDefault(table) ?? [];
            var then = before.tables.GetValueOrDefault(table) ?? [];
            var added = now.Keys.Count(k => !then.ContainsKey(k));
            var removed = then.Keys.Count(k => !now.ContainsKey(k));
            var changed = now.Count(r => then.TryGetValue(r.Key, out var old) && old != r.Value);
            if (added + removed + changed > 0)
            {
                changes[table] = new TableChange(added, changed, removed);
            }
        }

        return changes;
    }

    private static async Task<List<(string Schema, string Name)>> TablesAsync(DbConnection connection, string provider)
    {
        var query = provider switch
        {
            "Sqlite" => "SELECT '', name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "PostgreSql" => "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
            "SqlServer" => "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE = 'BASE TABLE'",
            _ => throw new NotSupportedException(provider),
        };
        var tables = new List<(string, string)>();
        await using var command = connection.CreateCommand();
        command.CommandText = query;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables.Add((reader.GetString(0), reader.GetString(1)));
        }

        return tables;
    }

    private static async Task<Dictionary<string, string>> RowsAsync(DbConnection connection, string schema, string table, string[]? keyColumns)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {(schema.Length == 0 ? Quote(table) : Quote(schema) + "." + Quote(table))}";
        await using var reader = await command.ExecuteReaderAsync();
        var ordinals = keyColumns?.Select(reader.GetOrdinal).ToArray();
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        var values = new string[reader.FieldCount];
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? "\u2400" : Text(reader.GetValue(i));
            }

            var row = string.Join('\u001F', values);
            var key = ordinals is null ? row : string.Join('\u001F', ordinals.Select(o => values[o]));
            rows[key] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(row)));
        }

        return rows;
    }

    private static string Text(object value) => value switch
    {
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
