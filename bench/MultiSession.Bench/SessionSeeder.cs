using System.Buffers.Text;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace MultiSession.Bench;

/// <summary>
/// Fills the multi-session host's database with other browsers' sessions, in bulk and outside the measurements: rows inserted
/// straight into <c>MultiSessionDevices</c> and <c>MultiSessionDeviceSessions</c> in one transaction with reused prepared
/// statements. Each seeded device has a random secret hash and 1 to 3 sessions of their own users (unexpired, or for the
/// growth part's cleanup expired), each with the bench's client recorded in <c>MultiSessionDeviceSessionClients</c> and a real
/// serialized principal (copied from a session signed in through HTTP) so that rows have their real size. Their ids sort after
/// the real ones' and ascend (see <see cref="SequentialId"/>). It also queues logout notifications for the growth part's outbox.
/// </summary>
internal static class SessionSeeder
{
    public static long CountSessions(string databasePath)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"MultiSessionDeviceSessions\"";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Counts the rows of a table of the database (optionally with a condition).</summary>
    public static long Count(string databasePath, string table, string? where = null)
    {
        using var connection = Open(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"" + (where is null ? string.Empty : " WHERE " + where);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Adds sessions until the table holds <paramref name="target"/> rows; returns the time it took. With
    /// <paramref name="expired"/>, the added sessions expired a day ago (for the cleanup to remove); each has the bench's client
    /// recorded, as if that client had received tokens through it.
    /// </summary>
    public static TimeSpan SeedTo(string databasePath, long target, bool expired = false)
    {
        var started = Stopwatch.StartNew();
        using var connection = Open(databasePath);
        Execute(connection, "PRAGMA cache_size = -1048576;");
        Execute(connection, "PRAGMA synchronous = OFF;");

        long existing;
        byte[] ticket;
        using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT COUNT(*) FROM \"MultiSessionDeviceSessions\"";
            existing = (long)read.ExecuteScalar()!;
            read.CommandText = "SELECT \"Ticket\" FROM \"MultiSessionDeviceSessions\" LIMIT 1";
            ticket = read.ExecuteScalar() as byte[] ?? new byte[420];
        }

        var toAdd = target - existing;
        if (toAdd <= 0)
        {
            return started.Elapsed;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var expires = now + (long)TimeSpan.FromDays(expired ? -1 : 14).TotalMilliseconds;
        using (var transaction = connection.BeginTransaction())
        {
            using var device = connection.CreateCommand();
            device.Transaction = transaction;
            device.CommandText = """
                INSERT INTO "MultiSessionDevices" ("Id", "SecretHash", "ActiveSessionId", "CreatedAt", "LastSeenAt")
                VALUES ($id, $hash, $active, $now, $now)
                """;
            var deviceId = device.Parameters.Add("$id", SqliteType.Text);
            var hash = device.Parameters.Add("$hash", SqliteType.Text);
            var active = device.Parameters.Add("$active", SqliteType.Text);
            device.Parameters.AddWithValue("$now", now);

            using var session = connection.CreateCommand();
            session.Transaction = transaction;
            session.CommandText = """
                INSERT INTO "MultiSessionDeviceSessions" ("Id", "DeviceId", "Handle", "Slot", "UserId", "UserName", "DisplayName", "Email",
                    "AuthenticatedAt", "CreatedAt", "LastSeenAt", "ExpiresAt", "AbsoluteExpiresAt", "LastValidatedAt", "Ticket")
                VALUES ($id, $device, $handle, $slot, $user, $name, $name, $email, $now, $now, $now, $expires, NULL, $now, $ticket);
                INSERT INTO "MultiSessionDeviceSessionClients" ("SessionId", "ClientId") VALUES ($id, 'bench-client');
                """;
            var sessionId = session.Parameters.Add("$id", SqliteType.Text);
            var sessionDevice = session.Parameters.Add("$device", SqliteType.Text);
            var handle = session.Parameters.Add("$handle", SqliteType.Text);
            var slot = session.Parameters.Add("$slot", SqliteType.Integer);
            var user = session.Parameters.Add("$user", SqliteType.Text);
            var name = session.Parameters.Add("$name", SqliteType.Text);
            var email = session.Parameters.Add("$email", SqliteType.Text);
            session.Parameters.AddWithValue("$now", now);
            session.Parameters.AddWithValue("$expires", expires);
            session.Parameters.AddWithValue("$ticket", ticket);

            var seed = existing;
            long added = 0;
            while (added < toAdd)
            {
                var count = (int)Math.Min(1 + (seed % 3), toAdd - added);
                var id = SequentialId(seed);
                var ids = Enumerable.Range(0, count).Select(i => SequentialId(seed + i)).ToArray();
                deviceId.Value = id;
                hash.Value = Convert.ToHexStringLower(RandomBytes(32));
                active.Value = ids[0];
                device.ExecuteNonQuery();
                for (var i = 0; i < count; i++)
                {
                    var userName = "seeded" + (seed + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    sessionId.Value = ids[i];
                    sessionDevice.Value = id;
                    handle.Value = NewId();
                    slot.Value = i;
                    user.Value = Guid.NewGuid().ToString();
                    name.Value = userName;
                    email.Value = userName + "@example.com";
                    session.ExecuteNonQuery();
                }

                seed += count;
                added += count;
            }

            transaction.Commit();
        }

        // Fold the write-ahead log back into the database file, so that the measurements that follow do not read through it.
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return started.Elapsed;
    }

    /// <summary>
    /// Queues <paramref name="count"/> back-channel logout notifications for <paramref name="clientId"/>, due now, in one
    /// transaction (as the end of that many sessions would: one pending row each in <c>MultiSessionLogoutNotifications</c>).
    /// </summary>
    public static void QueueNotifications(string databasePath, int count, string clientId)
    {
        using var connection = Open(databasePath);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO "MultiSessionLogoutNotifications" ("Id", "SessionId", "Subject", "ClientId", "Status", "Attempts", "NextAttemptAt", "CreatedAt")
            VALUES ($id, $session, $subject, $client, 0, 0, $now, $now)
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var session = insert.Parameters.Add("$session", SqliteType.Text);
        var subject = insert.Parameters.Add("$subject", SqliteType.Text);
        insert.Parameters.AddWithValue("$client", clientId);
        insert.Parameters.AddWithValue("$now", now);
        for (var i = 0; i < count; i++)
        {
            id.Value = NewId();
            session.Value = NewId();
            subject.Value = Guid.NewGuid().ToString();
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static SqliteConnection Open(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // Seeded rows hold no secret: a fast generator will do.
    private static string NewId() => Base64Url.EncodeToString(RandomBytes(16));

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A 22-character id like the real ones, but in ascending order (a hexadecimal counter, then random characters): the primary
    /// keys and device indexes are then filled by appending, so a million rows are seeded in seconds. The ids of the sessions the
    /// bench signs in are random, as always; the size and depth of the indexes they are looked up in are the same.
    /// </summary>
    private static string SequentialId(long counter) =>
        "~" + counter.ToString("x11", System.Globalization.CultureInfo.InvariantCulture) + NewId()[..10];
}
