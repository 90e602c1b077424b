namespace IdentityServer.MultiSession.Api;

/// <summary>The account of a <see cref="DeviceSessionResponse"/>.</summary>
/// <param name="Id">The user id.</param>
/// <param name="Name">The display name.</param>
/// <param name="Email">The email address.</param>
internal sealed record DeviceSessionUserResponse(string Id, string Name, string? Email);
