using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityProvider.Migrations.Sqlite.Migrations
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

            // The DateTimeOffset converter stores UTC ticks / 1000 shifted left 11 bits (the low bits
            // hold the offset, zero for the UTC times this server writes): the floor is computed the same
            // way from SQLite's clock, so the comparison runs on the stored integers.
            migrationBuilder.Sql("""DROP TRIGGER "AuditEvents_AppendOnly_Delete";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_AppendOnly_Delete" BEFORE DELETE ON "AuditEvents"
                WHEN OLD."OccurredAt" >= ((((CAST(strftime('%s', 'now', '-365 days') AS INTEGER) * 10000000) + 621355968000000000) / 1000) << 11)
                BEGIN
                    SELECT RAISE(ABORT, 'AuditEvents is append-only: rows younger than 365 days cannot be deleted');
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "AuditEvents_AppendOnly_Delete";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "AuditEvents_AppendOnly_Delete" BEFORE DELETE ON "AuditEvents"
                BEGIN
                    SELECT RAISE(ABORT, 'AuditEvents is append-only: rows cannot be updated or deleted');
                END;
                """);

            migrationBuilder.DropIndex(
                name: "IX_UserLinkTokens_ExpiresAt",
                table: "UserLinkTokens");
        }
    }
}
