using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdpHost.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SessionDeviceSummary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Browser",
                table: "MultiSessionDeviceSessions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IpAddress",
                table: "MultiSessionDeviceSessions",
                type: "character varying(64)",
                unicode: false,
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OperatingSystem",
                table: "MultiSessionDeviceSessions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Browser",
                table: "MultiSessionDeviceSessions");

            migrationBuilder.DropColumn(
                name: "IpAddress",
                table: "MultiSessionDeviceSessions");

            migrationBuilder.DropColumn(
                name: "OperatingSystem",
                table: "MultiSessionDeviceSessions");
        }
    }
}
