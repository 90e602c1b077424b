namespace IdentityServer.MultiSession.Http;

/// <summary>
/// The security headers that <c>app.UseMultiSessionSecurityHeaders()</c> sends on every response. The defaults fit the
/// library's pages and a host built like the sample: no inline script or style, no framing, no referrer.
/// </summary>
public sealed class MultiSessionSecurityHeadersOptions
{
    /// <summary>
    /// The SHA-256 source of the one inline script OpenIddict's <c>form_post</c> response page runs,
    /// <c>document.form.submit();</c>, which posts the authorization response to the client's redirect URI.
    /// </summary>
    public const string OpenIddictFormPostScriptHash = "'sha256-j7OoGArf6XW6YY4cAyS3riSSvrJRqpSi1fOF9vQ5SrI='";

    /// <summary>
    /// Sources allowed for scripts (<c>script-src</c>). By default only OpenIddict's <c>form_post</c> auto-submit script, by
    /// its hash: the library's pages run no script at all.
    /// </summary>
    public IList<string> ScriptSources { get; } = [OpenIddictFormPostScriptHash];

    /// <summary>
    /// Sources allowed for frames this IdP's pages embed (<c>frame-src</c>); empty by default, which leaves frames to
    /// <c>default-src 'self'</c>. A host that embeds front-channel logout URIs of its clients adds their origins here.
    /// </summary>
    public IList<string> FrameSources { get; } = [];

    /// <summary>
    /// The <c>Referrer-Policy</c>; <c>no-referrer</c> by default, since the IdP's URLs carry authorization requests (client id,
    /// state, login hint) that no other site needs to see, and the IdP itself never reads the <c>Referer</c> header.
    /// </summary>
    public string ReferrerPolicy { get; set; } = "no-referrer";

    /// <summary>The <c>Content-Security-Policy</c> these options describe.</summary>
    public string BuildContentSecurityPolicy() => BuildContentSecurityPolicy([]);

    /// <summary>The <c>Content-Security-Policy</c> these options describe, with <paramref name="extraFrameSources"/> in <c>frame-src</c>.</summary>
    internal string BuildContentSecurityPolicy(IReadOnlyCollection<string> extraFrameSources)
    {
        // No form-action: OpenIddict's form_post page posts to the client's registered redirect URI, on another origin.
        var policy = "default-src 'self'; script-src " + (ScriptSources.Count == 0 ? "'none'" : string.Join(' ', ScriptSources)) +
            "; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
        var frames = FrameSources.Concat(extraFrameSources).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return frames.Count == 0 ? policy : policy + "; frame-src 'self' " + string.Join(' ', frames);
    }
}
