using IdentityServer.MultiSession.Storage;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IdpHost.Data.Migrations.PostgreSql
{
    /// <summary>
    /// The change channel of the device lookup cache on PostgreSQL: triggers that announce every change of a device or session
    /// row with pg_notify, in the transaction that makes it. No model change (this migration is kept when others are regenerated).
    /// </summary>
    public partial class DeviceChangeNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateMultiSessionChangeNotifications();
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropMultiSessionChangeNotifications();
        }
    }
}
