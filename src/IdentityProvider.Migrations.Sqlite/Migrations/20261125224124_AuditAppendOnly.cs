using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityProvider.Migrations.Sqlite.Migrations
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
            // SQLite triggers fire per event: one for UPDATE, one for DELETE. A future migration that
            // rebuilds AuditEvents (SQLite's way of altering a column) drops them and must create them again.
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_AppendOnly_Update" BEFORE UPDATE ON "AuditEvents"
                BEGIN
                    SELECT RAISE(ABORT, 'AuditEvents is append-only: rows cannot be updated or deleted');
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_AppendOnly_Delete" BEFORE DELETE ON "AuditEvents"
                BEGIN
                    SELECT RAISE(ABORT, 'AuditEvents is append-only: rows cannot be updated or deleted');
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEvents_AppendOnly_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEvents_AppendOnly_Update";""");
        }
    }
}
