using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// The PostgreSQL change channel of the device lookup cache: triggers on the device and session tables that announce every
/// update or delete with <c>pg_notify</c> in the transaction that makes it (PostgreSQL delivers it when that transaction
/// commits, in commit order). Call <see cref="CreateMultiSessionChangeNotifications"/> from a migration of the host's PostgreSQL
/// context; without the triggers the cache is never used on PostgreSQL (the listener logs a warning).
/// </summary>
public static class MultiSessionPostgreSqlMigrationExtensions
{
    /// <summary>The notification channel.</summary>
    public const string ChannelName = "multisession_devices";

    /// <summary>The trigger on the device table.</summary>
    public const string DeviceTriggerName = "multisession_devices_changed";

    /// <summary>The trigger on the session table.</summary>
    public const string SessionTriggerName = "multisession_sessions_changed";

    private const string FunctionName = "multisession_notify_change";

    /// <summary>
    /// Creates the notification function and the two triggers (payload <c>d:</c> and a device id, or <c>s:</c> and a session id).
    /// </summary>
    /// <param name="migrationBuilder">The migration.</param>
    /// <param name="devicesTable">The device table's name.</param>
    /// <param name="sessionsTable">The session table's name.</param>
    public static MigrationBuilder CreateMultiSessionChangeNotifications(
        this MigrationBuilder migrationBuilder,
        string devicesTable = "MultiSessionDevices",
        string sessionsTable = "MultiSessionDeviceSessions")
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql($"""
            CREATE OR REPLACE FUNCTION {FunctionName}() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                PERFORM pg_notify('{ChannelName}', TG_ARGV[0] || ':' || OLD."Id");
                RETURN NULL;
            END
            $body$;
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER {DeviceTriggerName} AFTER UPDATE OR DELETE ON "{devicesTable}"
                FOR EACH ROW EXECUTE FUNCTION {FunctionName}('d');
            """);
        migrationBuilder.Sql($"""
            CREATE TRIGGER {SessionTriggerName} AFTER UPDATE OR DELETE ON "{sessionsTable}"
                FOR EACH ROW EXECUTE FUNCTION {FunctionName}('s');
            """);
        return migrationBuilder;
    }

    /// <summary>Removes what <see cref="CreateMultiSessionChangeNotifications"/> created.</summary>
    /// <param name="migrationBuilder">The migration.</param>
    /// <param name="devicesTable">The device table's name.</param>
    /// <param name="sessionsTable">The session table's name.</param>
    public static MigrationBuilder DropMultiSessionChangeNotifications(
        this MigrationBuilder migrationBuilder,
        string devicesTable = "MultiSessionDevices",
        string sessionsTable = "MultiSessionDeviceSessions")
    {
        ArgumentNullException.ThrowIfNull(migrationBuilder);
        migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {SessionTriggerName} ON \"{sessionsTable}\";");
        migrationBuilder.Sql($"DROP TRIGGER IF EXISTS {DeviceTriggerName} ON \"{devicesTable}\";");
        migrationBuilder.Sql($"DROP FUNCTION IF EXISTS {FunctionName}();");
        return migrationBuilder;
    }
}
