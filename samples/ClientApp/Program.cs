using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace ClientApp;

/// <summary>
/// A small relying party for the MultiSession IdP: Microsoft's OpenID Connect handler (authorization code + PKCE) and a
/// cookie session of its own. Settings: <c>Oidc:Authority</c>, <c>Oidc:ClientId</c>, optional <c>Oidc:ClientSecret</c>,
/// <c>Oidc:RequireHttpsMetadata</c> (false only for a plain-HTTP IdP in Development).
/// </summary>
public sealed class Program
{
    /// <summary>The client's own session cookie. Its name differs from every cookie of the IdP, since cookies are per host,
    /// not per port, and the two may run on the same host name (localhost:5000 and localhost:5002).</summary>
    public const string SessionCookieName = ".ClientApp.Session";

    /// <summary>The client's antiforgery cookie, named apart from the IdP's for the same reason.</summary>
    public const string AntiforgeryCookieName = ".ClientApp.Antiforgery";

    private Program()
    {
    }

    /// <summary>Starts the client.</summary>
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var settings = OidcSettings.Read(builder.Configuration, builder.Environment);

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = SessionCookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = settings.Authority;
                options.ClientId = settings.ClientId;
                options.ClientSecret = settings.ClientSecret;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.UsePkce = true;
                options.Scope.Clear();
                options.Scope.Add("openid");
                options.Scope.Add("profile");
                options.Scope.Add("email");

                // The ID token is kept for RP-initiated logout (id_token_hint); claims keep their JWT names (sub, sid, name, email).
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.Events.OnRemoteFailure = context =>
                {
                    // An error from the IdP (for example access_denied) is shown on the home page rather than as an exception.
                    context.HandleResponse();
                    context.Response.Redirect("/?error=" + Uri.EscapeDataString(context.Failure?.Message ?? "unknown error"));
                    return Task.CompletedTask;
                };
            });

        // The cookie holds only a key; sessions live on the server, so that a back-channel logout from the IdP ends them at once.
        builder.Services.AddSingleton<SessionTicketStore>();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>, SessionTicketStoreSetup>();
        builder.Services.AddSingleton<BackChannelLogoutEndpoint>();
        builder.Services.AddSingleton<FrontChannelLogoutEndpoint>();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddAntiforgery(options => options.Cookie.Name = AntiforgeryCookieName);
        builder.Services.AddRazorPages();
        builder.Services.AddSingleton(settings);

        var app = builder.Build();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error");
            app.UseHsts();
        }

        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();

        // Called by the IdP, server to server: no cookie, no antiforgery token; the signed logout token is the credential.
        app.MapPost(BackChannelLogoutEndpoint.Path, (HttpContext context, BackChannelLogoutEndpoint endpoint) => endpoint.HandleAsync(context))
            .DisableAntiforgery();

        // Loaded by the browser in a hidden frame of the IdP's page; the sid names the session, checked against the IdP's issuer.
        app.MapGet(FrontChannelLogoutEndpoint.Path, (HttpContext context, FrontChannelLogoutEndpoint endpoint) => endpoint.HandleAsync(context));

        await app.RunAsync();
    }
}
