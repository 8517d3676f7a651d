namespace IdentityProvider.Tests.Infrastructure;

public enum DatabaseKind
{
    Sqlite,
    PostgreSql,
    SqlServer,
}
