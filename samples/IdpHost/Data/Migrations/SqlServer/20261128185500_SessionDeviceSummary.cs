using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdpHost.Data.Migrations.SqlServer
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
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "IpAddress",
                table: "MultiSessionDeviceSessions",
                type: "varchar(64)",
                unicode: false,
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OperatingSystem",
                table: "MultiSessionDeviceSessions",
                type: "nvarchar(64)",
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
