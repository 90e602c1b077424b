using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdpHost.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class SessionRotationAndStamp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SecurityStampHash",
                table: "MultiSessionDeviceSessions",
                type: "varchar(64)",
                unicode: false,
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PreviousSecretHash",
                table: "MultiSessionDevices",
                type: "varchar(64)",
                unicode: false,
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "SecretRotatedAt",
                table: "MultiSessionDevices",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_MultiSessionDevices_PreviousSecretHash",
                table: "MultiSessionDevices",
                column: "PreviousSecretHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MultiSessionDevices_PreviousSecretHash",
                table: "MultiSessionDevices");

            migrationBuilder.DropColumn(
                name: "SecurityStampHash",
                table: "MultiSessionDeviceSessions");

            migrationBuilder.DropColumn(
                name: "PreviousSecretHash",
                table: "MultiSessionDevices");

            migrationBuilder.DropColumn(
                name: "SecretRotatedAt",
                table: "MultiSessionDevices");
        }
    }
}
