using System.Diagnostics;
using System.Globalization;
using IdentityProvider.Data;
using IdentityProvider.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Application = OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication;
using Authorization = OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization;
using Token = OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken;

// What one token-entry lookup costs — the query OpenIddict runs to validate every refresh token and
// code (token by id, with its application and authorization, tracked) — in OpenIddict's store, in
// ours (TokenEntryStore, the same query compiled) and as plain SQL, on a SQLite file with the
// server's model. docs/performance.md explains why the figures matter.
//
//   dotnet TokenLookup.dll [--tokens 10000] [--lookups 20000] [--rounds 4]
var tokenCount = 10_000;
var lookups = 20_000;
var rounds = 4;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--tokens": tokenCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--lookups": lookups = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}

var path = Path.Combine(Path.GetTempPath(), $"token-lookup-{Guid.NewGuid():N}.db");
var services = new ServiceCollection();
services.AddDbContext<IdpDbContext>(o => o.UseSqlite($"Data Source={path};Pooling=true"));
services.AddOpenIddict().AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdpDbContext>());
await using var provider = services.BuildServiceProvider();

try
{
    var ids = await SeedAsync(provider, tokenCount);
    await using var scope = provider.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<IdpDbContext>();
    var store = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenStore<Token>>();
    await db.Database.OpenConnectionAsync(); // the server holds one connection per token request
    var ours = ActivatorUtilities.CreateInstance<TokenEntryStore>(scope.ServiceProvider);
    var sql = Sql(db);

    var variants = new (string Name, Func<string, Task<Token?>> Find)[]
    {
        ("OpenIddict's store (FindByIdAsync)", async key => await store.FindByIdAsync(key, default)),
        ("TokenEntryStore (compiled query)", async key => await ours.FindByIdAsync(key, default)),
        ("plain SQL, entities attached", key => PlainSqlAsync(db, sql, key, attach: true)),
        ("plain SQL, no entities (SQLite alone)", key => PlainSqlAsync(db, sql, key, attach: false)),
    };

    foreach (var (name, find) in variants)
    {
        db.ChangeTracker.Clear();
        var token = await find(ids[0]) ?? throw new InvalidOperationException($"{name}: token not found");
        if (name != variants[^1].Name && (token.Application?.ClientId != "lookup-client" || token.Authorization is null || db.Entry(token).State != EntityState.Unchanged))
        {
            throw new InvalidOperationException($"{name}: the token came back without its application, authorization or tracking");
        }
    }

    Console.WriteLine($"{tokenCount} tokens, {lookups} lookups per round, change tracker cleared between lookups; last {Math.Max(1, rounds / 2)} of {rounds} rounds:");
    for (var round = 0; round < rounds; round++)
    {
        foreach (var (name, find) in variants)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < lookups; i++)
            {
                db.ChangeTracker.Clear();
                await find(ids[i % ids.Count]);
            }

            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            if (round >= rounds - Math.Max(1, rounds / 2))
            {
                Console.WriteLine($"  {name,-36} {clock.Elapsed.TotalMicroseconds / lookups,7:F1} µs wall {cpu.TotalMicroseconds / lookups,7:F1} µs CPU");
            }
        }
    }

    return 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    foreach (var file in new[] { path, path + "-wal", path + "-shm" })
    {
        File.Delete(file);
    }
}

static async Task<List<string>> SeedAsync(IServiceProvider provider, int count)
{
    await using var scope = provider.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<IdpDbContext>();
    await db.Database.EnsureCreatedAsync();
    var application = new Application { ClientId = "lookup-client", ClientType = "public", Permissions = "[\"ept:token\",\"gt:refresh_token\"]", RedirectUris = "[\"http://127.0.0.1/cb\"]" };
    var ids = new List<string>(count);
    var now = DateTime.UtcNow;
    for (var i = 0; i < count; i++)
    {
        var authorization = new Authorization { Application = application, Status = "valid", Subject = Guid.NewGuid().ToString(), Type = "permanent", Scopes = "[\"openid\",\"offline_access\"]", CreationDate = now };
        var token = new Token { Application = application, Authorization = authorization, Status = "valid", Subject = authorization.Subject, Type = "refresh_token", CreationDate = now, ExpirationDate = now.AddDays(14) };
        db.Add(token);
    }

    await db.SaveChangesAsync();
    ids.AddRange(await db.Set<Token>().Select(t => t.Id!).ToListAsync());
    Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ids));
    return ids;
}

// The same SELECT EF Core sends (token, application, authorization joined), columns from the model;
// the column lists are read from the model once, so that the timed lookups do only what a hand-written
// store would do on each call.
static PlainSql Sql(DbContext db)
{
    var token = db.Model.FindEntityType(typeof(Token))!;
    var application = db.Model.FindEntityType(typeof(Application))!;
    var authorization = db.Model.FindEntityType(typeof(Authorization))!;
    var columns = (Token: Properties(token), Application: Properties(application), Authorization: Properties(authorization));
    static string Columns(IProperty[] properties, string alias) =>
        string.Join(", ", properties.Select(p => $"{alias}.\"{p.GetColumnName()}\""));
    var text = $"""
        SELECT {Columns(columns.Token, "t")}, {Columns(columns.Application, "a")}, {Columns(columns.Authorization, "z")}
        FROM "{token.GetTableName()}" AS t
        LEFT JOIN "{application.GetTableName()}" AS a ON t."ApplicationId" = a."Id"
        LEFT JOIN "{authorization.GetTableName()}" AS z ON t."AuthorizationId" = z."Id"
        WHERE t."Id" = @key LIMIT 1
        """;
    return new PlainSql(text, columns.Token, columns.Application, columns.Authorization);
}

static IProperty[] Properties(IEntityType type) =>
    type.GetProperties().Where(p => p.PropertyInfo is not null).OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();

static async Task<Token?> PlainSqlAsync(IdpDbContext db, PlainSql sql, string key, bool attach)
{
    await using var command = db.Database.GetDbConnection().CreateCommand();
    command.CommandText = sql.Text;
    var parameter = command.CreateParameter();
    parameter.ParameterName = "@key";
    parameter.Value = key;
    command.Parameters.Add(parameter);
    await using var reader = await command.ExecuteReaderAsync();
    if (!await reader.ReadAsync())
    {
        return null;
    }

    if (!attach)
    {
        // Only what SQLite itself does: prepare, step, and hand over every column's value.
        for (var i = 0; i < reader.FieldCount; i++)
        {
            _ = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return new Token { Id = key };
    }

    var column = 0;
    T Read<T>(IProperty[] properties) where T : new()
    {
        var entity = new T();
        foreach (var property in properties)
        {
            var value = reader.IsDBNull(column) ? null : reader.GetValue(column);
            column++;
            var target = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            property.PropertyInfo!.SetValue(entity, value is null ? null : target == typeof(DateTime) ? DateTime.Parse((string)value, CultureInfo.InvariantCulture) : Convert.ChangeType(value, target, CultureInfo.InvariantCulture));
        }

        return entity;
    }

    var token = Read<Token>(sql.Token);
    var application = Read<Application>(sql.Application);
    var authorization = Read<Authorization>(sql.Authorization);
    token.Application = application;
    token.Authorization = authorization;
    authorization.Application = application;
    db.Attach(token);
    return token;
}

internal sealed record PlainSql(string Text, IProperty[] Token, IProperty[] Application, IProperty[] Authorization);
