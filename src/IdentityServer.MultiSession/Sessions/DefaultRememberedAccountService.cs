using IdentityServer.MultiSession.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>Default <see cref="IRememberedAccountService"/> over an <see cref="IRememberedAccountStore"/>.</summary>
public class DefaultRememberedAccountService : IRememberedAccountService
{
    private readonly IRememberedAccountStore _store;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    public DefaultRememberedAccountService(
        IRememberedAccountStore store,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time,
        ILogger<DefaultRememberedAccountService> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<RememberedAccount>> ListAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        var options = _options.CurrentValue;
        if (!options.RememberSignedOutAccounts || DeviceHash(context, options) is not { } hash)
        {
            return [];
        }

        var lifetime = options.RememberedAccountLifetime;
        var entries = await _store.ListAsync(hash, _time.GetUtcNow() - lifetime, cancellationToken);
        return entries.Select(e => new RememberedAccount
        {
            Id = e.Id,
            DisplayName = e.DisplayName,
            LoginName = e.LoginName,
            SignedOutAt = e.SignedOutAt,
            ExpiresAt = e.SignedOutAt + lifetime,
        }).ToList();
    }

    /// <inheritdoc />
    public virtual async Task<bool> ForgetAsync(HttpContext context, string id, CancellationToken cancellationToken = default)
    {
        var options = _options.CurrentValue;
        if (!options.RememberSignedOutAccounts || !DeviceSecret.IsWellFormedId(id) || DeviceHash(context, options) is not { } hash)
        {
            return false;
        }

        if (!await _store.ForgetAsync(hash, id, cancellationToken))
        {
            return false;
        }

        Log.RememberedAccountForgotten(_logger, id);
        return true;
    }

    private static string? DeviceHash(HttpContext context, MultiSessionOptions options) =>
        DeviceSecret.TryHash(context.Request.Cookies[options.CookieName!]);
}
