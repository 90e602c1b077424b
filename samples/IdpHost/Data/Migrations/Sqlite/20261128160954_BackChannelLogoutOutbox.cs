using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdpHost.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BackChannelLogoutOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MultiSessionDeviceSessionClients",
                columns: table => new
                {
                    SessionId = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MultiSessionDeviceSessionClients", x => new { x.SessionId, x.ClientId });
                    table.ForeignKey(
                        name: "FK_MultiSessionDeviceSessionClients_MultiSessionDeviceSessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "MultiSessionDeviceSessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MultiSessionLogoutNotifications",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: false),
                    SessionId = table.Column<string>(type: "TEXT", unicode: false, maxLength: 32, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LeaseOwner = table.Column<string>(type: "TEXT", unicode: false, maxLength: 64, nullable: true),
                    LeaseExpiresAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MultiSessionLogoutNotifications", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MultiSessionLogoutNotifications_SessionId",
                table: "MultiSessionLogoutNotifications",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_MultiSessionLogoutNotifications_Status_NextAttemptAt",
                table: "MultiSessionLogoutNotifications",
                columns: new[] { "Status", "NextAttemptAt" });

            // Keep the clients recorded so far: split the old space-separated column into rows. SQLite drops the column in
            // place (ALTER TABLE ... DROP COLUMN), so that no table rebuild cascades into the rows just copied.
            migrationBuilder.Sql("""
                WITH RECURSIVE split("Id", rest, item) AS (
                    SELECT "Id", "ClientIds" || ' ', '' FROM "MultiSessionDeviceSessions" WHERE "ClientIds" IS NOT NULL
                    UNION ALL
                    SELECT "Id", substr(rest, instr(rest, ' ') + 1), substr(rest, 1, instr(rest, ' ') - 1) FROM split WHERE rest <> ''
                )
                INSERT OR IGNORE INTO "MultiSessionDeviceSessionClients" ("SessionId", "ClientId")
                SELECT "Id", item FROM split WHERE item <> '' AND length(item) <= 100;
                """);
            migrationBuilder.Sql("""ALTER TABLE "MultiSessionDeviceSessions" DROP COLUMN "ClientIds";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MultiSessionDeviceSessionClients");

            migrationBuilder.DropTable(
                name: "MultiSessionLogoutNotifications");

            migrationBuilder.AddColumn<string>(
                name: "ClientIds",
                table: "MultiSessionDeviceSessions",
                type: "TEXT",
                maxLength: 4000,
                nullable: true);
        }
    }
}
