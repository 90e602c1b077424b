using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Localization;
using IdpHost.Data;
using IdpHost.External;
using IdpHost.Identity;
using IdpHost.Login;
using IdpHost.Observability;
using IdpHost.Oidc;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static OpenIddict.Abstractions.OpenIddictConstants;

var builder = WebApplication.CreateBuilder(args);
var configuration = builder.Configuration;
var clients = ClientRegistrar.Read(configuration);
var apis = ApiRegistrar.Read(configuration);
var apiScopes = apis.SelectMany(api => api.Scopes).ToArray();

// MultiSession:Enabled=false is the benchmark's baseline: Identity's stock application cookie (one account per browser)
// with the same OpenIddict set-up and database. The multi-session library is then neither registered nor mapped.
var multiSession = configuration.GetValue("MultiSession:Enabled", defaultValue: true);

var databaseProvider = builder.Services.AddIdpDatabase(configuration, builder.Environment.ContentRootPath);

// Every instance behind a load balancer shares the key ring, kept in the database; outside Development it is encrypted at
// rest with a configured certificate (DataProtection:Certificate:Path and :Password).
builder.Services.AddDataProtection()
    .SetApplicationName("IdentityServer.MultiSession.IdpHost")
    .PersistKeysToDbContext<ApplicationDbContext>()
    .ProtectKeysIfConfigured(configuration, builder.Environment);
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

var identity = builder.Services.AddIdentity<ApplicationUser, IdentityRole>(options =>
    {
        options.User.RequireUniqueEmail = true;

        // Identity's passkey table (the context fixes the same version for its migrations).
        options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
        // Lockout: see AddPasswordLogin below (configuration section "Lockout").
    })
    .AddEntityFrameworkStores<ApplicationDbContext>()
    .AddClaimsPrincipalFactory<ApplicationUserClaimsPrincipalFactory>()
    .AddDefaultTokenProviders()
    .AddMultiAccountTwoFactor();

// The login page: one hash verification and one message per failed attempt, an escalating lockout per account and a rate
// limit per client address (README "Login page: failures, lockout and rate limits").
builder.Services.AddPasswordLogin(configuration);

// Audit log of the multi-session events and OpenTelemetry metrics (README "Events and audit log", "Metrics").
builder.Services.AddIdpObservability(configuration);
if (multiSession)
{
    identity.AddMultiSession()
        .AddEntityFrameworkStore<ApplicationDbContext>()
        .AddUniqueConstraintViolationDetector(databaseProvider)
        .AddOpenIddictIntegration();
}
else
{
    // The login page validates its return URL with the library's validator, which needs no other multi-session service.
    builder.Services.TryAddSingleton<IdentityServer.MultiSession.Sessions.ReturnUrlValidator>();
}

// Passkeys: the answer's origin is checked against this IdP's own (the pages send no Origin header: Referrer-Policy), which
// outside Development is the configured Passkeys:Origin (README "Passkeys").
builder.Services.AddPasskeyOrigin(configuration, builder.Environment);

// The switch policy's privileged accounts (MultiSession:ReauthenticateAfter, off unless configured): the admin role, or
// two-factor sign-in on (README "Switch policy: privileged accounts sign in again").
builder.Services.AddAuthorization(options => options.AddPolicy(
    MultiSessionDefaults.ReauthenticationPolicy,
    policy => policy.AddRequirements(new PrivilegedAccountRequirement())));
builder.Services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, PrivilegedAccountHandler>();

// Identity's options can also be set in configuration, for example Identity:SignIn:RequireConfirmedAccount=true.
builder.Services.Configure<IdentityOptions>(configuration.GetSection("Identity"));

// An external OpenID Connect provider, when ExternalProviders:Oidc is configured (README "External sign-in").
builder.Services.AddExternalOidcProvider(configuration, builder.Environment);

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
            .SetEndSessionEndpointUris("connect/endsession")
            .SetIntrospectionEndpointUris("connect/introspect")
            .SetRevocationEndpointUris("connect/revoke");
        options.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().AllowClientCredentialsFlow();
        options.RequireProofKeyForCodeExchange();
        options.Configure(server => server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
        options.RegisterScopes([Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess, .. apiScopes]);
        options.RegisterClaims(Claims.Subject, Claims.Name, Claims.PreferredUsername, Claims.Email, Claims.EmailVerified, Claims.AuthenticationTime, Claims.AuthenticationMethodReference, MultiSessionDefaults.SessionIdClaimType);

        // Access tokens are plain signed JWTs, so that APIs (and the tests) can read sid, auth_time and aud; an API that
        // must know at once that a session ended asks the introspection endpoint.
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

// Administration ("Sessions administration" pages and /multi-session/admin/api): people in the admin role through the sign-in
// cookie, scripts through access tokens of this IdP (client credentials) carrying the administration scope, validated locally.
builder.Services.AddAuthorizationBuilder().AddPolicy(MultiSessionDefaults.AdministrationPolicy, policy => policy
    .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, OpenIddict.Validation.AspNetCore.OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
    .RequireAssertion(context => AdministrationAccess.IsAdministrator(context.User)));

// The pages speak English, German and French: the language switch's cookie first, then Accept-Language.
builder.Services.AddLocalization();
builder.Services.Configure<RequestLocalizationOptions>(options => MultiSessionCultures.Configure(options));

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
// The demo administrator (and alice's admin role) only where the README's published password is harmless.
await DemoUsers.SeedAsync(
    app.Services,
    withAdministrators: app.Environment.IsDevelopment() || app.Configuration.GetValue<bool>("DemoUsers:SeedAdministrators"));
await ApiRegistrar.RegisterAsync(app.Services, apis);
await ClientRegistrar.RegisterAsync(app.Services, clients, apis.Where(api => !api.Restricted).SelectMany(api => api.Scopes));

app.UseForwardedHeaders();
// Scripts: OpenIddict's form_post script (by hash) and the sample's own static files (the passkey pages' wwwroot/js), never inline.
app.UseMultiSessionSecurityHeaders(headers => headers.ScriptSources.Add("'self'"));
app.UseRequestLocalization();
app.UseExceptionHandler("/Error");

// Pages without a body (404, 400, …) get the readable error page; the JSON API answers problem details; the OIDC endpoints
// keep exactly what OpenIddict answers.
app.UseWhen(
    context => !context.Request.Path.StartsWithSegments(MultiSessionDefaults.ApiPathPrefix) && !context.Request.Path.StartsWithSegments("/connect"),
    pages => pages.UseStatusCodePagesWithReExecute("/Error/{0}"));
app.UseWhen(context => context.Request.Path.StartsWithSegments(MultiSessionDefaults.ApiPathPrefix), api => api.UseStatusCodePages());
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

// The health endpoint answers before authentication: it checks the database, not the caller.
app.UseHealthChecks("/healthz");

// Prometheus scrapes /metrics (local callers only unless Metrics:Prometheus:AllowRemote=true).
app.UseIdpMetricsEndpoint();

// The stylesheets (the library's under _content/IdentityServer.MultiSession/) are served before authentication, so that
// they load without the database, on the 503 page too.
app.UseStaticFiles();
app.UseRouting();
app.UseRateLimiter();
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
