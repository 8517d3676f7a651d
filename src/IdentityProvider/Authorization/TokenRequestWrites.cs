using IdentityProvider.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace IdentityProvider.Authorization;

/// <summary>
/// One unit of work per token request. OpenIddict saves after each step of a refresh or a code
/// redemption — the old token marked redeemed, the access-token entry, the refresh-token entry (and,
/// before <see cref="UnrecordedTokens"/> skipped it, the ID-token entry) — one transaction and one
/// commit each (an fsync each on SQLite, behind the process's write gate).
/// During a token request the request's <see cref="IdpDbContext"/> keeps those changes tracked
/// instead (<see cref="Deferral"/> suppresses its <c>SaveChanges</c>), and <see cref="Flush"/>
/// writes them in one transaction just before the response is written, success or error alike (an
/// error response may carry a replay's revocation of the chain).
/// <para>
/// All or nothing: if the write fails, the client gets no tokens and its old refresh token or code
/// is untouched; if the redemption lost a race (another request redeemed the same token first: the
/// concurrency token no longer matches), the whole batch rolls back and the answer is
/// <c>invalid_grant</c>, so at most one of concurrent requests with one token gets new tokens. An
/// exception before the response leaves the changes unsaved; the pooled context drops them.
/// </para>
/// </summary>
public sealed partial class TokenRequestWrites
{
    private TokenRequestWrites(IdpDbContext context) => Context = context;

    /// <summary>The request's own context; writes through any other context are not deferred.</summary>
    public IdpDbContext Context { get; }

    public bool Deferring { get; private set; } = true;

    /// <summary>Starts deferring at the very beginning of a token request, before the token is validated.</summary>
    public sealed class Start : IOpenIddictServerHandler<ExtractTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
                .UseSingletonHandler<Start>()
                .SetOrder(int.MinValue)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ExtractTokenRequestContext context)
        {
            if (context.Transaction.GetHttpRequest()?.HttpContext is { } http)
            {
                http.Features.Set(new TokenRequestWrites(http.RequestServices.GetRequiredService<IdpDbContext>()));
            }

            return default;
        }
    }

    /// <summary>Writes the deferred changes before anything of the response is decided or sent.</summary>
    public sealed partial class Flush(ILogger<Flush> logger) : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; }
            = OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
                .UseSingletonHandler<Flush>()
                // Before OpenIddict normalises errors and our protocol-error log sees them.
                .SetOrder(int.MinValue + 50_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            if (context.Transaction.GetHttpRequest()?.HttpContext.Features.Get<TokenRequestWrites>() is not { Deferring: true } writes)
            {
                return;
            }

            writes.Deferring = false;

            // Client credentials and most errors wrote nothing: no SaveChanges, no turn at SQLite's write gate.
            if (!writes.Context.ChangeTracker.HasChanges())
            {
                return;
            }

            try
            {
                await writes.Context.SaveChangesAsync(context.CancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone redeemed the same code or refresh token between our read and our write.
                writes.Context.ChangeTracker.Clear();
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

    /// <summary>Suppresses <c>SaveChanges</c> of the request's context while the token request defers.</summary>
    public sealed class Deferral(IHttpContextAccessor http) : SaveChangesInterceptor
    {
        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
            Defer(eventData.Context) ? InterceptionResult<int>.SuppressWithResult(Pending(eventData.Context!)) : result;

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            new(SavingChanges(eventData, result));

        private bool Defer(DbContext? context) =>
            context is not null
            && context.Database.CurrentTransaction is null
            && http.HttpContext?.Features.Get<TokenRequestWrites>() is { Deferring: true } writes
            && ReferenceEquals(writes.Context, context);

        private static int Pending(DbContext context) =>
            context.ChangeTracker.Entries().Count(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);
    }
}
