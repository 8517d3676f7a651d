using Microsoft.EntityFrameworkCore;

namespace IdentityProvider.Persistence;

/// <summary>
/// Keeps a context's database connection open until disposed. Without it EF Core opens and closes
/// the connection around every statement: on SQLite each opening registers EF's functions again; on
/// PostgreSQL each is a trip through Npgsql's pool, and a session reset where the connection string
/// asks for one (<c>No Reset On Close=false</c>). For a request that runs several statements in a
/// row; not across a long wait (a password-hash slot), which would keep a pooled connection idle.
/// </summary>
public sealed class HeldConnection : IAsyncDisposable
{
    private readonly DbContext context;

    private HeldConnection(DbContext context) => this.context = context;

    /// <summary>Opens the connection, or counts one more holder if it is already open: EF Core closes it after the last.</summary>
    public static async Task<HeldConnection> OpenAsync(DbContext context, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken);
        return new HeldConnection(context);
    }

    public async ValueTask DisposeAsync() => await context.Database.CloseConnectionAsync();
}
