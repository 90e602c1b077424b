using IdentityServer.MultiSession;
using IdpHost.Data;
using IdpHost.Identity;
using IdpHost.Oidc;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static OpenIddict.Abstractions.OpenIddictConstants;

var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;
var clients = ClientRegistrar.Read(configuration);

// MultiSession:Enabled=false is the benchmark's baseline: Identity's stock application cookie (one account per browser)
// with the same OpenIddict set-up and database. The multi-session library is then neither registered nor mapped.
var multiSession = configuration.GetValue("MultiSession:Enabled", defaultValue: true);

builder.Services.AddIdpDatabase(configuration, builder.Environment.ContentRootPath);

// Every instance behind a load balancer shares the key ring, kept in the database.
builder.Services.AddDataProtection()
    .SetApplicationName("IdentityServer.MultiSession.IdpHost")
    .PersistKeysToDbContext<ApplicationDbContext>();
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

var identity = builder.Services.AddIdentity<ApplicationUser, IdentityRole>(options =>
    {
        options.User.RequireUniqueEmail = true;
        options.Lockout.MaxFailedAccessAttempts = 10;
    })
    .AddEntityFrameworkStores<ApplicationDbContext>()
    .AddClaimsPrincipalFactory<ApplicationUserClaimsPrincipalFactory>()
    .AddDefaultTokenProviders()
    .AddMultiAccountTwoFactor();
if (multiSession)
{
    identity.AddMultiSession()
        .AddEntityFrameworkStore<ApplicationDbContext>()
        .AddOpenIddictIntegration();
}
else
{
    // The login page validates its return URL with the library's validator, which needs no other multi-session service.
    builder.Services.TryAddSingleton<IdentityServer.MultiSession.Sessions.ReturnUrlValidator>();
}

// Identity's options can also be set in configuration, for example Identity:SignIn:RequireConfirmedAccount=true.
builder.Services.Configure<IdentityOptions>(configuration.GetSection("Identity"));

builder.Services.ConfigureApplicationCookie(options =>
{
    options.LoginPath = "/Account/Login";
    options.AccessDeniedPath = "/Account/Login";
});

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<ApplicationDbContext>())
    .AddServer(options =>
    {
        options.SetAuthorizationEndpointUris("connect/authorize")
            .SetTokenEndpointUris("connect/token")
            .SetUserInfoEndpointUris("connect/userinfo")
            .SetEndSessionEndpointUris("connect/endsession");
        options.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow();
        options.RequireProofKeyForCodeExchange();
        options.Configure(server => server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
        options.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess);
        options.RegisterClaims(Claims.Subject, Claims.Name, Claims.PreferredUsername, Claims.Email, Claims.EmailVerified, Claims.AuthenticationTime, Claims.AuthenticationMethodReference, MultiSessionDefaults.SessionIdClaimType);

        // Access tokens are plain signed JWTs, so that APIs (and the tests) can read sid and auth_time.
        options.DisableAccessTokenEncryption();
        options.AddConfiguredKeys(configuration, builder.Environment);

        var aspNetCore = options.UseAspNetCore()
            .EnableAuthorizationEndpointPassthrough()
            .EnableTokenEndpointPassthrough()
            .EnableUserInfoEndpointPassthrough()
            .EnableEndSessionEndpointPassthrough();
        if (builder.Environment.IsDevelopment())
        {
            // Plain http://127.0.0.1 is allowed in Development only.
            aspNetCore.DisableTransportSecurityRequirement();
        }
    })
    .AddValidation(options =>
    {
        options.UseLocalServer();
        options.UseAspNetCore();
    });

// The sign-in and account pages' texts: Resources/*.resx, chosen from Accept-Language (English, German, French).
builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");

builder.Services.AddRazorPages(options =>
{
    if (!multiSession)
    {
        // Without the library's services its account picker cannot work: leave it unrouted (404).
        options.Conventions.AddAreaFolderRouteModelConvention("MultiSession", "/", model => model.Selectors.Clear());
    }
});

// Behind a load balancer that ends TLS: honour X-Forwarded-For/Proto from known proxies (loopback unless configured).
builder.Services.Configure<ForwardedHeadersOptions>(options =>
    options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);

var app = builder.Build();

// Options registered with ValidateOnStart are checked before anything touches the database: a bad setting stops the host
// with its message, not after a migration ran.
app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();
await app.Services.MigrateIdpDatabaseAsync();
await DemoUsers.SeedAsync(app.Services);
await ClientRegistrar.RegisterAsync(app.Services, clients);

app.UseForwardedHeaders();
app.UseRequestLocalization(options => options.SetDefaultCulture("en").AddSupportedCultures("en", "de", "fr").AddSupportedUICultures("en", "de", "fr"));
app.UseExceptionHandler("/Error");
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

// The health endpoint answers before authentication: it checks the database, not the caller.
app.UseHealthChecks("/healthz");
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();

if (multiSession)
{
    app.MapMultiSession();
}

app.MapConnectEndpoints(multiSession);
app.MapRazorPages();

await app.RunAsync();

/// <summary>The IdP's entry point; public so that tests can host it with <c>WebApplicationFactory</c>.</summary>
public partial class Program;
