using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityProvider.Migrations.PostgreSql.Migrations
{
    /// <summary>
    /// Audit events become deletable once older than 365 days (IdpDbContext.AuditDeletionFloorDays),
    /// by the database's own clock, so that the retention job can prune them while no one — not even
    /// the server's own database login — can delete recent history; updates stay refused. Also the
    /// index the retention job reads expired links by.
    /// </summary>
    public partial class AuditRetentionFloor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_UserLinkTokens_ExpiresAt",
                table: "UserLinkTokens",
                column: "ExpiresAt");

            // UPDATE and TRUNCATE stay refused by the statement trigger; DELETE is judged row by row.
            migrationBuilder.Sql("""DROP TRIGGER "AuditEvents_AppendOnly" ON "AuditEvents";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_AppendOnly"
                BEFORE UPDATE OR TRUNCATE ON "AuditEvents"
                FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvents_RefuseChange"();
                """);
            migrationBuilder.Sql("""
                CREATE FUNCTION "AuditEvents_RefuseYoungDelete"() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD."OccurredAt" >= now() - interval '365 days' THEN
                        RAISE EXCEPTION 'AuditEvents is append-only: rows younger than 365 days cannot be deleted (id %)', OLD."Id";
                    END IF;
                    RETURN OLD;
                END;
                $$;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_DeleteFloor"
                BEFORE DELETE ON "AuditEvents"
                FOR EACH ROW EXECUTE FUNCTION "AuditEvents_RefuseYoungDelete"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "AuditEvents_DeleteFloor" ON "AuditEvents";""");
            migrationBuilder.Sql("""DROP FUNCTION IF EXISTS "AuditEvents_RefuseYoungDelete"();""");
            migrationBuilder.Sql("""DROP TRIGGER "AuditEvents_AppendOnly" ON "AuditEvents";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_AppendOnly"
                BEFORE UPDATE OR DELETE OR TRUNCATE ON "AuditEvents"
                FOR EACH STATEMENT EXECUTE FUNCTION "AuditEvents_RefuseChange"();
                """);

            migrationBuilder.DropIndex(
                name: "IX_UserLinkTokens_ExpiresAt",
                table: "UserLinkTokens");
        }
    }
}
