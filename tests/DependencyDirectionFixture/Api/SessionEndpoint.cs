using DependencyDirectionFixture.Sessions;

namespace DependencyDirectionFixture.Api;

/// <summary>An API type that uses sessions, as the direction allows.</summary>
public static class SessionEndpoint
{
    /// <summary>Answers.</summary>
    public static string Get(string id) => SessionRules.Row(id).Id;
}
