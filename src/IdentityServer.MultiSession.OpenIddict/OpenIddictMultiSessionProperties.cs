namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>Names of the values the integration keeps in OpenIddict transactions and authorization properties.</summary>
internal static class OpenIddictMultiSessionProperties
{
    /// <summary>The transaction property holding the live <see cref="Sessions.DeviceSession"/> the request is made through.</summary>
    public const string Session = "IdentityServer.MultiSession.Session";

    /// <summary>The authorization property holding the <c>sid</c> of the device session the authorization was granted through.</summary>
    public const string AuthorizationSessionId = "ms_sid";
}
