using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// On PostgreSQL, with the lookup cache on: one connection that <c>LISTEN</c>s to
/// <see cref="MultiSessionPostgreSqlMigrationExtensions.ChannelName"/>, where the database's triggers announce every change of a
/// device or session row (in the transaction that makes it), and invalidates this instance's cache entries. It also sends a
/// heartbeat through the database every quarter of <see cref="MultiSessionOptions.DeviceLookupCacheMaxStaleness"/> from a
/// second connection; the cache is used only while one of its own heartbeats came back within that bound. When the connection
/// drops, the cache is set aside (every request reads the database) and cleared; the listener reconnects with back-off.
/// </summary>
/// <typeparam name="TContext">The host's DbContext (for its provider and connection string).</typeparam>
internal sealed class PostgreSqlDeviceChangeListener<TContext> : BackgroundService
    where TContext : DbContext
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";
    private readonly IServiceScopeFactory _scopes;
    private readonly DeviceLookupCache _cache;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];
    private volatile bool _listening;
    private long _lastHeartbeatReceived;

    public PostgreSqlDeviceChangeListener(
        IServiceScopeFactory scopes,
        DeviceLookupCache cache,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time,
        ILogger<PostgreSqlDeviceChangeListener<TContext>> logger)
    {
        _scopes = scopes;
        _cache = cache;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether the listening connection is open and subscribed (for tests and diagnostics).</summary>
    public bool IsListening => _listening;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? connectionString;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            var database = scope.ServiceProvider.GetRequiredService<TContext>().Database;
            if (_options.CurrentValue.DeviceLookupCache == DeviceLookupCacheMode.On)
            {
                _cache.DecideChannel(database.ProviderName);
            }

            if (!string.Equals(database.ProviderName, NpgsqlProvider, StringComparison.Ordinal))
            {
                return;
            }

            connectionString = database.GetConnectionString();
        }

        if (string.IsNullOrEmpty(connectionString))
        {
            return;
        }

        var listen = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = "multisession-listener",
            KeepAlive = 5,
        }.ConnectionString;
        await using var heartbeats = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "multisession-heartbeat" }.ConnectionString);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_options.CurrentValue.DeviceLookupCache != DeviceLookupCacheMode.On)
            {
                _cache.ChannelDown();
                await DelayAsync(TimeSpan.FromSeconds(1), stoppingToken);
                continue;
            }

            try
            {
                await ListenAsync(listen, heartbeats, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException or IOException or ChannelLaggedException)
            {
                failures++;
                Log.DeviceChangeChannelDown(_logger, exception.GetType().Name, exception.Message);
            }
            finally
            {
                _listening = false;
                _cache.ChannelDown();
            }

            await DelayAsync(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * Math.Pow(2, Math.Min(failures, 6)))), stoppingToken);
        }
    }

    private async Task ListenAsync(string connectionString, NpgsqlDataSource heartbeats, CancellationToken stoppingToken)
    {
        _lastHeartbeatReceived = 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(stoppingToken);
        await using (var check = new NpgsqlCommand(
            "SELECT count(*) FROM pg_trigger WHERE tgname IN ('" + MultiSessionPostgreSqlMigrationExtensions.DeviceTriggerName + "', '" +
            MultiSessionPostgreSqlMigrationExtensions.SessionTriggerName + "')",
            connection))
        {
            if (Convert.ToInt64(await check.ExecuteScalarAsync(stoppingToken), CultureInfo.InvariantCulture) < 2)
            {
                Log.DeviceChangeTriggersMissing(_logger);
                await DelayAsync(TimeSpan.FromSeconds(30), stoppingToken);
                return;
            }
        }

        connection.Notification += (_, e) => OnNotification(e.Payload);
        await using (var subscribe = new NpgsqlCommand("LISTEN " + MultiSessionPostgreSqlMigrationExtensions.ChannelName, connection))
        {
            await subscribe.ExecuteNonQueryAsync(stoppingToken);
        }

        // Listening from now: what was missed before is unknown, so the cache starts empty, and is used once a heartbeat sent
        // after this moment has come back.
        _cache.ChannelConnected(_time.GetTimestamp());
        _listening = true;
        Log.DeviceChangeChannelListening(_logger);
        using var stopHeartbeats = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var sender = SendHeartbeatsAsync(heartbeats, stopHeartbeats.Token);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var bound = _options.CurrentValue.DeviceLookupCacheMaxStaleness;
                await connection.WaitAsync(bound, stoppingToken);
                if (_lastHeartbeatReceived != 0 && _time.GetElapsedTime(_lastHeartbeatReceived) > 5 * bound)
                {
                    // Nothing came back for long (a connection that died without closing): start again.
                    throw new ChannelLaggedException();
                }
            }
        }
        finally
        {
            await stopHeartbeats.CancelAsync();
            try
            {
                await sender;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private void OnNotification(string payload)
    {
        if (payload.Length < 2 || payload[1] != ':')
        {
            return;
        }

        var value = payload[2..];
        switch (payload[0])
        {
            case 'd':
                _cache.InvalidateDevice(value);
                break;
            case 's':
                _cache.InvalidateSession(value);
                break;
            case 'h':
                var separator = value.IndexOf(':', StringComparison.Ordinal);
                if (separator > 0 && value.AsSpan(0, separator).SequenceEqual(_instance)
                    && long.TryParse(value.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sentAt))
                {
                    _lastHeartbeatReceived = _time.GetTimestamp();
                    _cache.Heartbeat(sentAt);
                }

                break;
            default:
                // Anything else (a bulk change): drop everything.
                _cache.Clear();
                break;
        }
    }

    private async Task SendHeartbeatsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT pg_notify(@channel, @payload)");
                command.Parameters.AddWithValue("channel", MultiSessionPostgreSqlMigrationExtensions.ChannelName);
                command.Parameters.AddWithValue("payload", "h:" + _instance + ":" + _time.GetTimestamp().ToString(CultureInfo.InvariantCulture));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException or IOException)
            {
                // A missed heartbeat only makes the cache step aside sooner; the listener's own connection tells when it is down.
                Log.DeviceChangeHeartbeatFailed(_logger, exception.GetType().Name);
            }

            await DelayAsync(_options.CurrentValue.DeviceLookupCacheMaxStaleness / 4, cancellationToken);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class ChannelLaggedException : Exception
    {
        public ChannelLaggedException()
            : base("No heartbeat came back through the change channel for five times the staleness bound.")
        {
        }
    }
}
