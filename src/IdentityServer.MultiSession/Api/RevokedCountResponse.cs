namespace IdentityServer.MultiSession.Api;

/// <summary>How many sessions a sign-out of other devices, or an administrator's revocation of all, ended.</summary>
/// <param name="Revoked">The number of sessions ended.</param>
internal sealed record RevokedCountResponse(int Revoked);
