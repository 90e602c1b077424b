namespace IdentityServer.MultiSession.OpenIddict;

/// <summary>
/// The issuer the OpenIddict server used for its latest request on this instance, for logout tokens signed outside any request
/// when the server has no issuer configured.
/// </summary>
internal sealed class OpenIddictIssuerTracker
{
    private Uri? _issuer;

    public Uri? Issuer
    {
        get => Volatile.Read(ref _issuer);
        set
        {
            if (value is not null)
            {
                Volatile.Write(ref _issuer, value);
            }
        }
    }
}
