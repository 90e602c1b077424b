namespace DependencyDirectionFixture.Storage;

/// <summary>A storage type that, against the direction, reaches up into Sessions, and only inside a lambda in a method body.</summary>
public sealed class SessionRow
{
    /// <summary>The id.</summary>
    public string Id { get; set; } = "";

    /// <summary>Planted violation: no signature names a Sessions type, only the IL of a lambda does.</summary>
    public Func<string> Describe() => () => Sessions.SessionRules.Describe(Id);
}
