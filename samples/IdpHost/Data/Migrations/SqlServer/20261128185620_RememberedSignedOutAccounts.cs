using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdpHost.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class RememberedSignedOutAccounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MultiSessionRememberedAccounts",
                columns: table => new
                {
                    Id = table.Column<string>(type: "varchar(32)", unicode: false, maxLength: 32, nullable: false),
                    DeviceId = table.Column<string>(type: "varchar(32)", unicode: false, maxLength: 32, nullable: false),
                    DisplayName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    LoginName = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    SignedOutAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MultiSessionRememberedAccounts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MultiSessionRememberedAccounts_MultiSessionDevices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "MultiSessionDevices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MultiSessionRememberedAccounts_DeviceId_LoginName",
                table: "MultiSessionRememberedAccounts",
                columns: new[] { "DeviceId", "LoginName" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MultiSessionRememberedAccounts_SignedOutAt",
                table: "MultiSessionRememberedAccounts",
                column: "SignedOutAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MultiSessionRememberedAccounts");
        }
    }
}
