using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace IdentityServer.MultiSession;

/// <summary>
/// The <see cref="IOptionsMonitor{TOptions}"/> of <see cref="MultiSessionOptions"/> that every service of the library reads.
/// The first value is built and validated as usual (a bad setting stops the host at start-up). When the configuration is
/// reloaded, a new value that binds and validates replaces it at once; one that does not is refused with an error log that
/// names the setting, and the last good value stays in force, so a typo in <c>appsettings.json</c> never breaks requests.
/// The cookie name and its Secure policy are kept from start-up: changing them would sign every browser out, so they need a
/// restart (a warning says so).
/// </summary>
internal sealed class LastGoodOptionsMonitor : IOptionsMonitor<MultiSessionOptions>, IDisposable
{
    private readonly IOptionsFactory<MultiSessionOptions> _factory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Lazy<MultiSessionOptions>> _values = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _registrations = [];
    private readonly Lock _gate = new();
    private event Action<MultiSessionOptions, string?>? Changed;

    public LastGoodOptionsMonitor(
        IOptionsFactory<MultiSessionOptions> factory,
        IEnumerable<IOptionsChangeTokenSource<MultiSessionOptions>> sources,
        ILogger<LastGoodOptionsMonitor> logger)
    {
        _factory = factory;
        _logger = logger;
        foreach (var source in sources)
        {
            var name = source.Name ?? Options.DefaultName;
            _registrations.Add(ChangeToken.OnChange(source.GetChangeToken, () => Reload(name)));
        }
    }

    public MultiSessionOptions CurrentValue => Get(Options.DefaultName);

    public MultiSessionOptions Get(string? name)
    {
        name ??= Options.DefaultName;
        var value = _values.GetOrAdd(name, key => new Lazy<MultiSessionOptions>(() => _factory.Create(key), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return value.Value;
        }
        catch
        {
            // A first value that does not validate is not cached: start-up validation reports it, and so does every later read.
            _values.TryRemove(KeyValuePair.Create(name, value));
            throw;
        }
    }

    public IDisposable? OnChange(Action<MultiSessionOptions, string?> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Changed += listener;
        return new Registration(this, listener);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Reload(string name)
    {
        MultiSessionOptions updated;
        lock (_gate)
        {
            try
            {
                updated = _factory.Create(name);
            }
            catch (OptionsValidationException exception)
            {
                Log.OptionsReloadRefused(_logger, string.Join(" ", exception.Failures));
                return;
            }
            catch (Exception exception) when (exception is InvalidOperationException or FormatException or ArgumentException or OverflowException)
            {
                // A value that does not even bind ("MaximumSessions": "five"); the binder's message names the setting.
                Log.OptionsReloadRefused(_logger, exception.Message);
                return;
            }

            if (_values.TryGetValue(name, out var previous) && previous.IsValueCreated)
            {
                var old = previous.Value;
                if (!string.Equals(old.CookieName, updated.CookieName, StringComparison.Ordinal) || old.CookieSecurePolicy != updated.CookieSecurePolicy)
                {
                    Log.OptionsCookieChangeIgnored(_logger, old.CookieName ?? string.Empty, updated.CookieName ?? string.Empty);
                    updated.CookieName = old.CookieName;
                    updated.CookieSecurePolicy = old.CookieSecurePolicy;
                }
            }

            _values[name] = new Lazy<MultiSessionOptions>(updated);
        }

        Log.OptionsReloaded(_logger, name.Length == 0 ? "(default)" : name);
        Changed?.Invoke(updated, name);
    }

    private sealed class Registration(LastGoodOptionsMonitor monitor, Action<MultiSessionOptions, string?> listener) : IDisposable
    {
        public void Dispose() => monitor.Changed -= listener;
    }
}
