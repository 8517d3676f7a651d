using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace IdentityProvider.Persistence;

/// <summary>
/// An EF Core compiled query per model: a compiled query is bound to the model it first ran with,
/// and one process may hold several (the tests run SQLite and PostgreSQL side by side).
/// </summary>
public sealed class CompiledQuery<TDelegate>(Func<TDelegate> compile) where TDelegate : class
{
    private readonly ConditionalWeakTable<IModel, TDelegate> compiled = new();

    public TDelegate For(DbContext context) => compiled.GetValue(context.Model, _ => compile());
}
