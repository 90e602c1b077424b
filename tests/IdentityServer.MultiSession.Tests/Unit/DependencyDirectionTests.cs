using IdentityServer.MultiSession.Tests.Infrastructure;

namespace IdentityServer.MultiSession.Tests.Unit;

/// <summary>
/// The core's folders depend one way: pages and the API on the session service, the session service on the storage
/// abstractions, never back, and no cycle between folders. Checked over what the compiled code really uses (signatures and the
/// IL of method bodies, lambdas and async methods included), not over its <c>using</c> directives.
/// </summary>
public sealed class DependencyDirectionTests
{
    private const string Core = "IdentityServer.MultiSession";

    /// <summary>
    /// The core's namespaces from the bottom up; a namespace may use its own level and the levels below it. A namespace missing
    /// here fails the test, so that a new folder is placed deliberately.
    /// </summary>
    private static readonly Dictionary<string, int> Levels = new(StringComparer.Ordinal)
    {
        // Options, defaults, exceptions and the one Log class: used everywhere, using nothing else of the library.
        [Core] = 0,
        [Core + ".Http"] = 1,
        [Core + ".Localization"] = 1,
        [Core + ".Devices"] = 1,
        [Core + ".Metrics"] = 2,
        [Core + ".Storage"] = 2,
        [Core + ".Sessions"] = 3,
        [Core + ".Events"] = 3,
        [Core + ".Authentication"] = 4,
        [Core + ".Authorization"] = 4,
        [Core + ".Logout"] = 4,
        [Core + ".Administration"] = 4,
        [Core + ".Api"] = 5,
        ["Pages"] = 5,
        ["Composition"] = 6,
    };

    /// <summary>
    /// Uses against the direction that are allowed, each with its reason: (from namespace, to namespace, type used).
    /// </summary>
    private static readonly (string From, string To, string Type, string Reason)[] Exceptions =
    [
        (Core + ".Sessions", Core + ".Authentication", "IMultiSessionUserValidator",
            "the session service consumes the host's user-validation extension point; it is declared beside the handler, where adopters look for it, and moving it would change a public namespace"),
        (Core + ".Sessions", Core + ".Authentication", "IMultiSessionPrincipalValidator", "as IMultiSessionUserValidator"),
        (Core + ".Sessions", Core + ".Authentication", "MultiSessionUserCheck", "the result type of IMultiSessionUserValidator"),
        (Core + ".Sessions", Core + ".Authentication", "SecurityStampHash", "the stamp hash that IMultiSessionUserValidator implementations compute and the session service stores"),
        (Core + ".Storage", Core + ".Sessions", "EndedSession",
            "the record of an ended session that the store returns (for the revocation events and token revocation) is declared in Sessions, beside ISessionTokenRevoker and the events that adopters implement and read; moving it to the store's records would change a public namespace"),
        (Core + ".Events", Core + ".Sessions", "EndedSession", "the revocation event contexts carry the ended sessions; as the store's use above"),
        (Core, Core + ".Sessions", "DeviceSession", "MultiSessionReauthenticationRequiredException names the account that must sign in again"),
        (Core, Core + ".Events", "MultiSessionEvents", "the options carry the host's event handlers, as CookieAuthenticationOptions.Events does"),
        (Core + ".Http", Core + ".Events", "MultiSessionEventRaiser", "problem details take the trace id from the same helper as the event log lines, so that both show one id"),
    ];

    private static string Group(string ns) => ns switch
    {
        "" => "",
        "AspNetCoreGeneratedDocument" => "Pages",
        _ when ns.StartsWith(Core + ".Areas", StringComparison.Ordinal) => "Pages",
        Core + ".DependencyInjection" or "Microsoft.Extensions.DependencyInjection" or "Microsoft.AspNetCore.Builder" => "Composition",
        _ => ns,
    };

    private static NamespaceDependencies ReadCore()
    {
        var path = typeof(MultiSessionOptions).Assembly.Location;
        return NamespaceDependencies.Read(path, Group);
    }

    [Fact]
    public void Every_namespace_of_the_core_has_a_place_in_the_direction()
    {
        var unplaced = ReadCore().Namespaces.Where(ns => ns.Length > 0 && !Levels.ContainsKey(ns)).ToList();
        Assert.True(unplaced.Count == 0, "Namespaces without a level in DependencyDirectionTests.Levels: " + string.Join(", ", unplaced));
    }

    [Fact]
    public void No_folder_of_the_core_uses_a_folder_above_it()
    {
        var dependencies = ReadCore();
        var violations = ViolationsOf(dependencies, Levels, Exceptions.Select(e => (e.From, e.To, e.Type)).ToHashSet());
        Assert.True(violations.Count == 0, "Uses against the direction:" + Environment.NewLine + string.Join(Environment.NewLine, violations)
            + Environment.NewLine + "All uses:" + Environment.NewLine + dependencies);
    }

    [Fact]
    public void The_folders_of_the_core_form_no_cycle_apart_from_the_recorded_exceptions()
    {
        var dependencies = ReadCore().Without(Exceptions.Select(e => (e.From, e.To, e.Type)));
        var cycles = dependencies.Cycles();
        Assert.True(cycles.Count == 0, "Cycles: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c)))
            + Environment.NewLine + dependencies);
    }

    [Fact]
    public void Each_recorded_exception_is_still_needed()
    {
        var dependencies = ReadCore();
        foreach (var (from, to, type, _) in Exceptions)
        {
            Assert.True(dependencies.Uses(from, to).Any(u => u.Used == type), $"{from} no longer uses {to}.{type}: remove the exception.");
        }
    }

    [Fact]
    public void The_check_finds_a_storage_type_that_uses_sessions_only_inside_a_lambda()
    {
        var fixture = NamespaceDependencies.Read(typeof(DependencyDirectionFixture.Storage.SessionRow).Assembly.Location, ns => ns);
        var levels = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["DependencyDirectionFixture.Storage"] = 0,
            ["DependencyDirectionFixture.Sessions"] = 1,
            ["DependencyDirectionFixture.Api"] = 2,
        };

        var violations = ViolationsOf(fixture, levels, new HashSet<(string, string, string)>());

        Assert.Equal(["DependencyDirectionFixture.Storage -> DependencyDirectionFixture.Sessions (SessionRow uses SessionRules)"], violations);
        var cycle = Assert.Single(fixture.Cycles());
        Assert.Equal(["DependencyDirectionFixture.Sessions", "DependencyDirectionFixture.Storage"], cycle);
    }

    private static List<string> ViolationsOf(
        NamespaceDependencies dependencies, IReadOnlyDictionary<string, int> levels, ICollection<(string From, string To, string Type)> allowed)
    {
        var violations = new List<string>();
        foreach (var (from, targets) in dependencies.Edges)
        {
            if (!levels.TryGetValue(from, out var fromLevel))
            {
                continue;
            }

            foreach (var to in targets.Keys)
            {
                if (!levels.TryGetValue(to, out var toLevel) || toLevel <= fromLevel)
                {
                    continue;
                }

                var uses = dependencies.Uses(from, to).Where(u => !allowed.Contains((from, to, u.Used))).ToList();
                if (uses.Count > 0)
                {
                    violations.Add($"{from} -> {to} ({NamespaceDependencies.Describe(uses)})");
                }
            }
        }

        return violations;
    }
}
