using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.BadInput;

/// <summary>The whole bad-input table on SQLite.</summary>
public sealed class BadInputSqliteTests() : BadInputFixture(DatabaseKind.Sqlite)
{
    [TestCaseSource(typeof(BadInputCases), nameof(BadInputCases.Sqlite))]
    public Task Case(BadInputCase c) => RunAsync(c);
}
