using System.Collections.Concurrent;
using IdentityProvider.Data;
using Microsoft.AspNetCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

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
            // Client credentials and most errors wrote nothing: no SaveChanges, no turn at SQLite's write gate.
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

    /// <summary>Starts deferring at the very beginning of a token request, before the token is validated.</summary>
    public sealed class StartTokenRequest : IOpenIddictServerHandler<ExtractTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
                .UseSingletonHandler<StartTokenRequest>()
                .SetOrder(int.MinValue)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ExtractTokenRequestContext context)
        {
            Of(context.Transaction)?.Begin();
            return default;
        }
    }

    /// <summary>
    /// Starts deferring when an authorization request signs in, before the authorization and the
    /// code are created: from here OpenIddict always goes on to apply a response, where the flush is.
    /// Earlier steps of the request (the login redirect, the session lookup) write nothing of ours.
    /// </summary>
    public sealed class StartAuthorizationSignIn : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseSingletonHandler<StartAuthorizationSignIn>()
                .SetOrder(int.MinValue)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.EndpointType == OpenIddictServerEndpointType.Authorization && Of(context.Transaction) is { Started: false } writes)
            {
                writes.Begin();
            }

            return default;
        }
    }

    /// <summary>
    /// Opens the connection once for a code or refresh-token request, which reads the token and the
    /// user and then writes; client credentials touch no database and keep none. Should the flush
    /// never run (an exception), the connection is closed when the response completes, before the
    /// request's services — the pooled context among them — are disposed.
    /// </summary>
    public sealed class HoldConnection : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<HoldConnection>()
                .SetOrder(int.MinValue)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            if (!context.Request.IsAuthorizationCodeGrantType() && !context.Request.IsRefreshTokenGrantType()
                || Of(context.Transaction) is not { Deferring: true, Held: null } writes
                || context.Transaction.GetHttpRequest()?.HttpContext is not { } http)
            {
                return;
            }

            writes.Held = await HeldConnection.OpenAsync(writes.Context, context.CancellationToken);
            http.Response.OnCompleted(static state => ((OidcRequestWrites)state).ReleaseConnectionAsync().AsTask(), writes);
        }
    }

    /// <summary>Writes a token request's deferred changes before anything of the response is decided or sent.</summary>
    public sealed partial class FlushTokenResponse(ILogger<FlushTokenResponse> logger) : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
                .UseSingletonHandler<FlushTokenResponse>()
                // Before OpenIddict normalises errors and our protocol-error log sees them.
                .SetOrder(int.MinValue + 50_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (Of(context.Transaction) is not { Deferring: true } writes)
            {
                return;
            }

            if (!await writes.FlushAsync(context.CancellationToken))
            {
                // Someone redeemed the same code or refresh token between our read and our write.
                LogLostRace(logger, context.Request?.GrantType);
                context.Response = new OpenIddictResponse
                {
                    Error = Errors.InvalidGrant,
                    ErrorDescription = "The specified token has already been redeemed.",
                };
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Token request ({GrantType}) lost the race for its code or refresh token; nothing was written, invalid_grant returned.")]
        private static partial void LogLostRace(ILogger logger, string? grantType);
    }

    /// <summary>
    /// Writes an authorization request's authorization and code in one transaction before the
    /// redirect carrying the code is built. An error response (the sign-in was refused after the
    /// authorization was created) carries no code: what it would have written is dropped. A failed
    /// write is an exception (the error page), and no code leaves.
    /// </summary>
    public sealed class FlushAuthorizationResponse : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
                .UseSingletonHandler<FlushAuthorizationResponse>()
                .SetOrder(int.MinValue + 50_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
        {
            if (Of(context.Transaction) is not { Deferring: true } writes)
            {
                return;
            }

            if (!string.IsNullOrEmpty(context.Response.Error))
            {
                writes.Context.ChangeTracker.Clear();
            }

            if (!await writes.FlushAsync(context.CancellationToken))
            {
                throw new InvalidOperationException("An authorization request's new rows met a concurrency conflict.");
            }
        }
    }

    /// <summary>Entities whose INSERT is deferred: OpenIddict's later <c>Update</c> of one must not become an UPDATE.</summary>
    private readonly HashSet<object> deferredInserts = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Takes stock of a suppressed save: remembers the new entities and puts any of them that
    /// OpenIddict has since passed to <c>DbContext.Update</c> (a code's entry gets its payload right
    /// after it is created) back to Added — it still has no row to update. Returns the number of
    /// changes the save would have written.
    /// </summary>
    private int Defer()
    {
        var pending = 0;
        foreach (var entry in Context.ChangeTracker.Entries())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    deferredInserts.Add(entry.Entity);
                    pending++;
                    break;
                case EntityState.Modified when deferredInserts.Contains(entry.Entity):
                    entry.State = EntityState.Added;
                    pending++;
                    break;
                case EntityState.Modified or EntityState.Deleted:
                    pending++;
                    break;
            }
        }

        return pending;
    }

    /// <summary>
    /// Suppresses <c>SaveChanges</c> of a context whose request defers (a singleton, as interceptors
    /// of a pooled context are): it holds the contexts of the units of work under way, each from
    /// its start to its flush or the end of its request's scope. Only such a request's own context
    /// defers; every other context of the process saves as usual.
    /// </summary>
    public sealed class Deferral : SaveChangesInterceptor
    {
        private readonly ConcurrentDictionary<DbContext, OidcRequestWrites> deferring = new(ReferenceEqualityComparer.Instance);

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
            Deferring(eventData.Context) is { } writes ? InterceptionResult<int>.SuppressWithResult(writes.Defer()) : result;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            new(SavingChanges(eventData, result));

        internal void Track(OidcRequestWrites writes) => deferring[writes.Context] = writes;

        internal void Untrack(OidcRequestWrites writes) => deferring.TryRemove(KeyValuePair.Create<DbContext, OidcRequestWrites>(writes.Context, writes));

        private OidcRequestWrites? Deferring(DbContext? context) =>
            context is not null
            && context.Database.CurrentTransaction is null
            && deferring.TryGetValue(context, out var writes)
            && writes.Deferring
                ? writes
                : null;
    }
}
