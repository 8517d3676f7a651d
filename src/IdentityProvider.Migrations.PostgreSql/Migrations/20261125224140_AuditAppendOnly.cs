using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityProvider.Migrations.PostgreSql.Migrations
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
            // Statement-level, so that TRUNCATE (which fires no row trigger) is refused as well.
            migrationBuilder.Sql("""
                CREATE FUNCTION "AuditEvents_RefuseChange"() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'AuditEvents is append-only: rows cannot be updated or deleted (%)', TG_OP;
                END;
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_AppendOnly"
                BEFORE UPDATE OR DELETE OR TRUNCATE ON "AuditEvents"
                FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvents_RefuseChange"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEvents_AppendOnly" ON "AuditEvents";""");
            migrationBuilder.Sql("""DROP FUNCTION IF EXISTS "AuditEvents_RefuseChange"();""");
        }
    }
}
