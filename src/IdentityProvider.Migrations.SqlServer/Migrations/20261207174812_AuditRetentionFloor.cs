using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdentityProvider.Migrations.SqlServer.Migrations
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

            // Still INSTEAD OF (one trigger per table and action): an UPDATE (rows in "inserted") is
            // refused; a DELETE is carried out only when every row it names is old enough.
            migrationBuilder.Sql("""
                CREATE OR ALTER TRIGGER [AuditEvents_AppendOnly] ON [AuditEvents]
                INSTEAD OF UPDATE, DELETE
                AS
                BEGIN
                    SET NOCOUNT ON;
                    IF EXISTS (SELECT 1 FROM inserted)
                    BEGIN
                        THROW 51000, N'AuditEvents is append-only: rows cannot be updated', 1;
                    END;
                    IF EXISTS (SELECT 1 FROM deleted WHERE [OccurredAt] >= DATEADD(day, -365, SYSDATETIMEOFFSET()))
                    BEGIN
                        THROW 51000, N'AuditEvents is append-only: rows younger than 365 days cannot be deleted', 1;
                    END;
                    DELETE FROM [AuditEvents] WHERE [Id] IN (SELECT [Id] FROM deleted);
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR ALTER TRIGGER [AuditEvents_AppendOnly] ON [AuditEvents]
                INSTEAD OF UPDATE, DELETE
                AS
                BEGIN
                    SET NOCOUNT ON;
                    THROW 51000, N'AuditEvents is append-only: rows cannot be updated or deleted', 1;
                END;
                """);

            migrationBuilder.DropIndex(
                name: "IX_UserLinkTokens_ExpiresAt",
                table: "UserLinkTokens");
        }
    }
}
