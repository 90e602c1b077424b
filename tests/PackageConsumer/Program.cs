using System.Security.Claims;
using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.OpenIddict;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using PackageConsumer;
using static OpenIddict.Abstractions.OpenIddictConstants;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddDbContext<AppDbContext>(options => options.UseSqlite(builder.Configuration.GetConnectionString("Default")));

// --- the adopter's code (README "Using the library in your own IdP") ---
builder.Services.AddIdentity<IdentityUser, IdentityRole>()
    .AddEntityFrameworkStores<AppDbContext>()
    .AddMultiSession()                                           // binds the "MultiSession" section, validates it at start-up
    .AddEntityFrameworkStore<AppDbContext>()                     // device sessions in your DbContext
    .AddUniqueConstraintViolationDetector<SqliteUniqueViolation>() // SQLite's error code for a unique-index race
    .AddOpenIddictIntegration();                                 // OpenIddict handlers + end-session page + token revoker

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<AppDbContext>())
    .AddServer(options =>
    {
        options.SetAuthorizationEndpointUris("connect/authorize")
            .SetTokenEndpointUris("connect/token")
            .SetEndSessionEndpointUris("connect/endsession");   // served by the library's page
        options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
        options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
        options.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption(); // use real keys in production
        var aspNetCore = options.UseAspNetCore()
            .EnableAuthorizationEndpointPassthrough()
            .EnableEndSessionEndpointPassthrough();
        if (builder.Environment.IsDevelopment())
        {
            aspNetCore.DisableTransportSecurityRequirement();   // plain http://127.0.0.1 in Development only
        }
    });
builder.Services.AddRazorPages();

var app = builder.Build();
await Seed.RunAsync(app.Services, app.Configuration);           // the database, two users and one client (this demo only)

app.UseMultiSessionSecurityHeaders();
app.UseExceptionHandler();                                      // the account limit becomes a 409 problem for JSON requests
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.MapMultiSession();                                          // the JSON API
app.MapRazorPages();                                            // the picker, the end-session page and your login page

// The authorization endpoint: OpenIddict's pass-through shape plus one call.
app.MapMethods("/connect/authorize", ["GET", "POST"], async (
    HttpContext context, OpenIddictMultiSessionAuthorization multiSession, UserManager<IdentityUser> users) =>
{
    var request = context.GetOpenIddictServerRequest()!;
    var decision = await multiSession.DecideAsync(context);
    switch (decision.Kind)
    {
        case AuthorizationAccountDecisionKind.ShowPicker:
        case AuthorizationAccountDecisionKind.ShowLogin:
            return Results.Redirect(decision.RedirectUri!);
        case AuthorizationAccountDecisionKind.Error:             // login_required, account_selection_required, ...
            return Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = decision.Error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = decision.ErrorDescription,
            }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    var user = await users.FindByIdAsync(decision.Session!.UserId);   // the account chosen for this request
    var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
    identity.SetClaim(Claims.Subject, user!.Id).SetClaim(Claims.Email, user.Email).SetClaim(Claims.Name, user.UserName);
    identity.SetScopes(request.GetScopes());
    identity.SetDestinations(claim => [Destinations.AccessToken, Destinations.IdentityToken]);
    return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
});

app.Run();
