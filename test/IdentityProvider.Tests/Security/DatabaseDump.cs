using System.Data.Common;
using IdentityProvider.Data;
using IdentityProvider.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityProvider.Tests.Security;

/// <summary>
/// Every text and binary value of every table of a test database, found through the database's
/// own catalog rather than the model: a table or column a later change adds is read without
/// anyone listing it here.
/// </summary>
public sealed record DatabaseDump(IReadOnlyList<string> Tables, IReadOnlyList<DatabaseDump.Value> Values)
{
    /// <summary>One stored value: its place, and its content as text or bytes.</summary>
    public sealed record Value(string Table, string Column, string? Text, byte[]? Bytes)
    {
        public override string ToString() => $"{Table}.{Column}";
    }

    public static Task<DatabaseDump> ReadAsync(IdpTestHost host) =>
        host.InScopeAsync(async services =>
        {
            var db = services.GetRequiredService<IdpDbContext>();
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            try
            {
                var tables = await TablesAsync(connection, host.Database.Provider);
                var values = new List<Value>();
                foreach (var table in tables)
                {
                    await ReadTableAsync(connection, table, values);
                }

                return new DatabaseDump(tables.Select(t => t.Name).ToList(), values);
            }
            finally
            {
                await connection.CloseAsync();
            }
        });

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

    private static async Task ReadTableAsync(DbConnection connection, (string Schema, string Name) table, List<Value> values)
    {
        await using var command = connection.CreateCommand();
        var name = Quote(table.Name);
        command.CommandText = $"SELECT * FROM {(table.Schema.Length == 0 ? name : Quote(table.Schema) + "." + name)}";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                switch (reader.IsDBNull(i) ? null : reader.GetValue(i))
                {
                    case string text:
                        values.Add(new Value(table.Name, reader.GetName(i), text, null));
                        break;
                    case byte[] bytes:
                        values.Add(new Value(table.Name, reader.GetName(i), null, bytes));
                        break;
                }
            }
        }
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
