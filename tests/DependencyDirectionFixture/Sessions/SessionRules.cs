using DependencyDirectionFixture.Storage;

namespace DependencyDirectionFixture.Sessions;

/// <summary>A sessions type that uses storage, as the direction allows.</summary>
public static class SessionRules
{
    /// <summary>Describes a session.</summary>
    public static string Describe(string id) => "session " + id;

    /// <summary>Makes a row.</summary>
    public static SessionRow Row(string id) => new() { Id = id };
}
