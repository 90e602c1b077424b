using System.Diagnostics;
using System.Globalization;
using IdentityServer.MultiSession.Storage;
using IdpHost.Data;
using Microsoft.Extensions.DependencyInjection;

namespace MultiSession.Bench;

/// <summary>What the propagation measurement found.</summary>
internal sealed record PropagationResult(
    IReadOnlyList<double> DelaysMs,
    int Trials,
    int RefusedAtOnceOnRevokingInstance,
    int ServedFromCacheBeforeRevoke,
    int NotRefusedInTime,
    TimeSpan Bound)
{
    public double Percentile(double p)
    {
        if (DelaysMs.Count == 0)
        {
            return double.NaN;
        }

        var sorted = DelaysMs.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"revocation propagation (PostgreSQL, 2 instances, lookup cache on): {Trials} trials, p50 {Percentile(0.5):0.0} ms, p99 {Percentile(0.99):0.0} ms, " +
        $"max {Percentile(1):0.0} ms; revoking instance refused at once in {RefusedAtOnceOnRevokingInstance}/{Trials}; the other instance served the " +
        $"session from its cache just before in {ServedFromCacheBeforeRevoke}/{Trials}; not refused within 10 s: {NotRefusedInTime}");
}

/// <summary>
/// Revoke on instance A, time until instance B refuses: per trial, a browser signs in on A, a copy of its cookies on B is served
/// the authenticated page (from B's lookup cache), A revokes the session through the JSON API, A's next page must refuse at
/// once, and B's page is requested in a tight loop until it refuses. The delay runs from A's answer to the revocation (the
/// session's end committed) to B's first refusal.
/// </summary>
internal static class Propagation
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(10);

    public static async Task<PropagationResult> MeasureAsync(IdpServer a, IdpServer b, int trials, Action<string> progress)
    {
        var cache = b.Services.GetRequiredService<DeviceLookupCache>();
        var bound = b.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<IdentityServer.MultiSession.MultiSessionOptions>>()
            .CurrentValue.DeviceLookupCacheMaxStaleness;
        var delays = new List<double>(trials);
        int atOnce = 0, fromCache = 0, late = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            using var onA = new VirtualBrowser(a.BaseAddress);
            await onA.SignInAsync(DemoUsers.All[trial % DemoUsers.All.Count].UserName, DemoUsers.Password);
            using var onB = onA.CopyTo(b.BaseAddress);

            var wait = Stopwatch.StartNew();
            while (!cache.IsUsable() && wait.Elapsed < GiveUp)
            {
                await Task.Delay(10);
            }

            await onB.ProfileAsync();
            var hits = cache.Hits;
            if (!await onB.ProfileAsync())
            {
                throw new InvalidOperationException("Instance B did not serve the page of a session signed in on instance A.");
            }

            if (cache.Hits > hits)
            {
                fromCache++;
            }

            if (!await onA.RevokeFirstSessionAsync())
            {
                throw new InvalidOperationException("The revocation on instance A failed.");
            }

            var revokedAt = Stopwatch.GetTimestamp();
            if (!await onA.ProfileAsync())
            {
                atOnce++;
            }

            while (await onB.ProfileAsync())
            {
                if (Stopwatch.GetElapsedTime(revokedAt) > GiveUp)
                {
                    late++;
                    break;
                }
            }

            delays.Add(Stopwatch.GetElapsedTime(revokedAt).TotalMilliseconds);
            if ((trial + 1) % 50 == 0)
            {
                progress($"propagation: {trial + 1}/{trials} trials");
            }
        }

        return new PropagationResult(delays, trials, atOnce, fromCache, late, bound);
    }
}
