using System.Collections.Immutable;
using System.Text.Json;
using OpenIddict.Abstractions;

namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// Where a client's logout registration is kept: properties of its OpenIddict application, named after the client metadata of
/// OpenID Connect Back-Channel Logout 1.0 and Front-Channel Logout 1.0.
/// </summary>
public static class OpenIddictLogoutProperties
{
    /// <summary>The back-channel logout URI (a string).</summary>
    public const string BackChannelLogoutUri = "backchannel_logout_uri";

    /// <summary>Whether the client requires the <c>sid</c> in logout tokens (a boolean).</summary>
    public const string BackChannelLogoutSessionRequired = "backchannel_logout_session_required";

    /// <summary>The front-channel logout URI (a string).</summary>
    public const string FrontChannelLogoutUri = "frontchannel_logout_uri";

    /// <summary>Whether the client requires <c>iss</c> and <c>sid</c> on its front-channel logout URI (a boolean).</summary>
    public const string FrontChannelLogoutSessionRequired = "frontchannel_logout_session_required";

    /// <summary>Writes a client's logout registration into <paramref name="descriptor"/>, removing what is not set.</summary>
    public static void Apply(
        OpenIddictApplicationDescriptor descriptor,
        Uri? backChannelLogoutUri,
        bool backChannelLogoutSessionRequired,
        Uri? frontChannelLogoutUri,
        bool frontChannelLogoutSessionRequired)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Set(descriptor, BackChannelLogoutUri, backChannelLogoutUri?.AbsoluteUri);
        Set<bool?>(descriptor, BackChannelLogoutSessionRequired, backChannelLogoutUri is null ? null : backChannelLogoutSessionRequired);
        Set(descriptor, FrontChannelLogoutUri, frontChannelLogoutUri?.AbsoluteUri);
        Set<bool?>(descriptor, FrontChannelLogoutSessionRequired, frontChannelLogoutUri is null ? null : frontChannelLogoutSessionRequired);
    }

    /// <summary>Reads a client's logout registration from its application properties.</summary>
    public static Logout.RelyingPartyLogoutRegistration Read(string clientId, ImmutableDictionary<string, JsonElement> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return new Logout.RelyingPartyLogoutRegistration(
            clientId,
            ReadUri(properties, BackChannelLogoutUri),
            ReadBoolean(properties, BackChannelLogoutSessionRequired),
            ReadUri(properties, FrontChannelLogoutUri),
            ReadBoolean(properties, FrontChannelLogoutSessionRequired));
    }

    private static void Set<T>(OpenIddictApplicationDescriptor descriptor, string name, T? value)
    {
        if (value is null)
        {
            descriptor.Properties.Remove(name);
            return;
        }

        descriptor.Properties[name] = JsonSerializer.SerializeToElement(value);
    }

    private static Uri? ReadUri(ImmutableDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String
            && Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri)
            ? uri
            : null;

    private static bool ReadBoolean(ImmutableDictionary<string, JsonElement> properties, string name) =>
        properties.TryGetValue(name, out var value) && (value.ValueKind == JsonValueKind.True
            || (value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var parsed) && parsed)
            || (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number == 1));
}
