using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IdentityProvider.Persistence;

/// <summary>The suppressed saves: what a deferring request's <c>SaveChanges</c> does instead of writing.</summary>
public sealed partial class OidcRequestWrites
{
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
