using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdpHost.Data.Migrations.PostgreSql
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
                    SessionId = table.Column<string>(type: "character varying(32)", unicode: false, maxLength: 32, nullable: false),
                    ClientId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MultiSessionDeviceSessionClients", x => new { x.SessionId, x.ClientId });
                    table.ForeignKey(
                        name: "FK_MultiSessionDeviceSessionClients_MultiSessionDeviceSessions~",
                        column: x => x.SessionId,
                        principalTable: "MultiSessionDeviceSessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MultiSessionLogoutNotifications",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(32)", unicode: false, maxLength: 32, nullable: false),
                    SessionId = table.Column<string>(type: "character varying(32)", unicode: false, maxLength: 32, nullable: false),
                    Subject = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    ClientId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: false),
                    LeaseOwner = table.Column<string>(type: "character varying(64)", unicode: false, maxLength: 64, nullable: true),
                    LeaseExpiresAt = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    CompletedAt = table.Column<long>(type: "bigint", nullable: true),
                    LastError = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
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

            // Keep the clients recorded so far: split the old space-separated column into rows.
            migrationBuilder.Sql("""
                INSERT INTO "MultiSessionDeviceSessionClients" ("SessionId", "ClientId")
                SELECT DISTINCT s."Id", c.item
                FROM "MultiSessionDeviceSessions" s
                CROSS JOIN LATERAL unnest(string_to_array(s."ClientIds", ' ')) AS c(item)
                WHERE s."ClientIds" IS NOT NULL AND c.item <> '' AND length(c.item) <= 100;
                """);

            migrationBuilder.DropColumn(
                name: "ClientIds",
                table: "MultiSessionDeviceSessions");
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
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);
        }
    }
}
