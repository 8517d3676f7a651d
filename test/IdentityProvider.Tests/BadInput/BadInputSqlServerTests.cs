using IdentityProvider.Tests.Infrastructure;

namespace IdentityProvider.Tests.BadInput;

/// <summary>
/// The bad-input table on SQL Server, where a Docker engine answers: the PostgreSQL subset — every
/// baseline, and NUL, bytes that are not UTF-8, 10 KB values and SQL quotes in every field.
/// </summary>
public sealed class BadInputSqlServerTests() : BadInputFixture(DatabaseKind.SqlServer)
{
    [TestCaseSource(typeof(BadInputCases), nameof(BadInputCases.SqlServer))]
    public Task Case(BadInputCase c) => RunAsync(c);
}
