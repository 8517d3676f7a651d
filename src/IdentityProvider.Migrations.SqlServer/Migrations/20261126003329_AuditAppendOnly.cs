using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityProvider.Migrations.SqlServer.Migrations
{
    /// <summary>
    /// The audit log is append-only (SPEC §11): the database refuses UPDATE and DELETE of
    /// AuditEvents, whatever code or hand-typed SQL tries.
    /// </summary>
    public partial class AuditAppendOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // INSTEAD OF: nothing is changed, the statement fails and its transaction rolls back.
            // CREATE TRIGGER must begin its batch; each Sql() operation is its own batch.
            // TRUNCATE TABLE fires no trigger on SQL Server: do not grant ALTER on the table to the
            // server's login (docs/persistence.md).
            migrationBuilder.Sql("""
                CREATE TRIGGER [AuditEvents_AppendOnly] ON [AuditEvents]
                INSTEAD OF UPDATE, DELETE
                AS
                BEGIN
                    SET NOCOUNT ON;
                    THROW 51000, N'AuditEvents is append-only: rows cannot be updated or deleted', 1;
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS [AuditEvents_AppendOnly];");
        }
    }
}
