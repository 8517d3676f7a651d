using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The bad-input table on PostgreSQL: every baseline, and the inputs whose fate depends on the
/// database — NUL, bytes that are not UTF-8 (plain and overlong), 10 KB values and SQL quotes
/// (<see cref="HostileInput.OnPostgreSql"/>) — in every field of every endpoint.
/// </summary>
public sealed class BadInputPostgreSqlTests() : BadInputFixture(DatabaseKind.PostgreSql)
{
    [TestCaseSource(typeof(BadInputCases), nameof(BadInputCases.PostgreSql))]
    public Task Case(BadInputCase c) => RunAsync(c);
}
