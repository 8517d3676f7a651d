using IdentityProvider.Data;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Server;

namespace IdentityProvider.Persistence;

/// <summary>
/// One unit of work per request that issues tokens: the token endpoint and the authorization
/// endpoint. OpenIddict saves after each step — at the token endpoint the old token marked redeemed,
/// the access-token entry, the refresh-token entry; at the authorization endpoint the ad-hoc
/// authorization, the code's entry, then the code's entry again with its payload — one transaction
/// and one commit each. During such a request the request's <see cref="IdpDbContext"/> keeps those
/// changes tracked instead (<see cref="Deferral"/> suppresses its <c>SaveChanges</c>), and the flush
/// writes them in one transaction just before the response is written, success or error alike (a
/// token error response may carry a replay's revocation of the chain).
/// <para>
/// A scoped service: the handlers below, which see the HTTP request, start it in the request's scope;
/// the EF Core interceptor knows only which contexts defer (<see cref="Deferral"/>), not HTTP. The
/// scope's end stops the deferral, before the pooled context goes back to the pool.
/// </para>
/// <para>
/// All or nothing: if the write fails, the client gets no tokens (and no code) and its old refresh
/// token or code is untouched; if a redemption lost a race (another request redeemed the same token
/// first: the concurrency token no longer matches), the whole batch rolls back and the answer is
/// <c>invalid_grant</c>, so at most one of concurrent requests with one token gets new tokens. An
/// exception before the response leaves the changes unsaved; the pooled context drops them.
/// </para>
/// <para>
/// A code or refresh-token request also keeps its database connection open from validation to the
/// flush (<see cref="HoldConnection"/>): EF Core would otherwise open and close it around each of its
/// three statements — on SQLite re-registering EF's functions on every open, on PostgreSQL resetting
/// the session state each time.
/// </para>
/// <para>
/// On SQLite the flush runs on the process's one writing thread (<see cref="SqliteWriter"/>) and its
/// own connection, the request awaiting it; elsewhere on the request's thread and connection.
/// </para>
/// </summary>
public sealed partial class OidcRequestWrites : IDisposable
{
    private readonly Deferral deferral;

    private OidcRequestWrites(IdpDbContext context, SqliteWriter? writer, Deferral deferral)
    {
        Context = context;
        Writer = writer;
        this.deferral = deferral;
    }

    /// <summary>The request's own context; writes through any other context are not deferred.</summary>
    private IdpDbContext Context { get; }

    /// <summary>On SQLite, the thread that runs the flush (<see cref="SqliteWriter"/> says why); null on other databases.</summary>
    private SqliteWriter? Writer { get; }

    /// <summary>Whether this request has started its unit of work; it stays started after the flush.</summary>
    private bool Started { get; set; }

    private bool Deferring { get; set; }

    /// <summary>The context's connection while <see cref="HoldConnection"/> holds it open and the flush has yet to let it go.</summary>
    private HeldConnection? Held { get; set; }

    /// <summary>The request scope's instance (registered as scoped by <c>AddIdpPersistence</c>).</summary>
    internal static OidcRequestWrites Create(IServiceProvider services) => new(
        services.GetRequiredService<IdpDbContext>(),
        services.GetService<SqliteWriter>(),
        services.GetRequiredService<Deferral>());

    /// <summary>The unit of work of the request <paramref name="transaction"/> belongs to; null outside an HTTP request.</summary>
    private static OidcRequestWrites? Of(OpenIddictServerTransaction transaction) =>
        transaction.GetHttpRequest()?.HttpContext.RequestServices.GetRequiredService<OidcRequestWrites>();

    private void Begin()
    {
        Started = true;
        Deferring = true;
        deferral.Track(this);
    }

    /// <summary>The end of the request's scope: whatever was not flushed stays unsaved, and the context defers no more.</summary>
    public void Dispose()
    {
        if (Started)
        {
            Deferring = false;
            deferral.Untrack(this);
        }
    }

    /// <summary>
    /// Ends the deferral and writes what it kept, then lets the connection go.
    /// Returns false when a redemption lost its race: nothing was written.
    /// </summary>
    private async ValueTask<bool> FlushAsync(CancellationToken cancellationToken)
    {
        Deferring = false;
        deferral.Untrack(this);
        try
        {
            // Client credentials and most errors wrote nothing: no SaveChanges, no turn on SQLite's writing thread.
            if (!Context.ChangeTracker.HasChanges())
            {
                return true;
            }

            if (Writer is { } writer)
            {
                // The writer commits on its own connection, which the context borrows for the save;
                // the request's goes back to the pool first.
                await ReleaseConnectionAsync();
                await writer.SaveChangesAsync(Context);
            }
            else
            {
                await Context.SaveChangesAsync(cancellationToken);
            }

            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            Context.ChangeTracker.Clear();
            return false;
        }
        finally
        {
            await ReleaseConnectionAsync();
        }
    }

    private async ValueTask ReleaseConnectionAsync()
    {
        if (Held is { } held)
        {
            Held = null;
            await held.DisposeAsync();
        }
    }
}
