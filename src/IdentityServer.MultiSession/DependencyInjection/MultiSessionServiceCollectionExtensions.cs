using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds the multi-session extension to ASP.NET Core Identity: <c>services.AddIdentity&lt;TUser, TRole&gt;().AddMultiSession()</c>.
/// </summary>
public static class MultiSessionServiceCollectionExtensions
{
    /// <summary>Adds multi-session sign-in with options bound from the <c>MultiSession</c> configuration section.</summary>
    public static MultiSessionBuilder AddMultiSession(this IdentityBuilder builder) => AddMultiSession(builder, configure: null);

    /// <summary>Adds multi-session sign-in with options bound from the <c>MultiSession</c> configuration section, then <paramref name="configure"/>.</summary>
    public static MultiSessionBuilder AddMultiSession(this IdentityBuilder builder, Action<MultiSessionOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<MultiSessionOptions>()
            .Configure<IConfiguration>((_, configuration) =>
                MultiSessionOptionsValidator.CheckChoices(configuration.GetSection(MultiSessionDefaults.ConfigurationSection)))
            .BindConfiguration(MultiSessionDefaults.ConfigurationSection)
            .ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MultiSessionOptions>, MultiSessionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<MultiSessionOptions>, MultiSessionPostConfigureOptions>());

        // Reloaded options that do not validate are refused and the last good ones stay in force.
        services.TryAddSingleton<IOptionsMonitor<MultiSessionOptions>, LastGoodOptionsMonitor>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.TryAddSingleton<AccountSelectionProtector>();
        services.TryAddSingleton<ReturnUrlValidator>();
        services.TryAddScoped<IDeviceSessionService, DefaultDeviceSessionService>();
        services.TryAddScoped<IRememberedAccountService, DefaultRememberedAccountService>();
        services.TryAddScoped<IAuthorizationAccountResolver, DefaultAuthorizationAccountResolver>();
        services.TryAddScoped<IEndSessionResolver, DefaultEndSessionResolver>();
        services.TryAddScoped(
            typeof(IMultiSessionUserValidator),
            typeof(IdentityMultiSessionUserValidator<>).MakeGenericType(builder.UserType));

        // Serve Identity's application scheme with the multi-session handler: SignInManager, [Authorize] and
        // HttpContext.User keep working and see the active account (BEHAVIOUR.md §1, issue "handler as the application scheme").
        services.AddOptions<MultiSessionAuthenticationOptions>(IdentityConstants.ApplicationScheme);
        services.Configure<AuthenticationOptions>(options =>
        {
            if (!options.SchemeMap.TryGetValue(IdentityConstants.ApplicationScheme, out var scheme))
            {
                options.AddScheme<MultiSessionAuthenticationHandler>(IdentityConstants.ApplicationScheme, displayName: null);
                return;
            }

            scheme.HandlerType = typeof(MultiSessionAuthenticationHandler);
        });

        // Administration: users found through Identity's UserManager, the settings in force with their sources.
        services.TryAddScoped(
            typeof(IdentityServer.MultiSession.Administration.IMultiSessionUserDirectory),
            typeof(IdentityServer.MultiSession.Administration.IdentityMultiSessionUserDirectory<>).MakeGenericType(builder.UserType));
        services.TryAddSingleton<IdentityServer.MultiSession.Administration.MultiSessionEffectiveOptions>();

        services.TryAddSingleton<ExpiredSessionCleanupService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ExpiredSessionCleanupService>(sp => sp.GetRequiredService<ExpiredSessionCleanupService>()));

        // Logout notifications to relying parties: the outbox sender (it does nothing until a store and an engine integration are added).
        services.AddHttpClient(IdentityServer.MultiSession.Logout.BackChannelLogoutSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new System.Net.Http.SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.TryAddSingleton<IdentityServer.MultiSession.Logout.BackChannelLogoutSender>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IdentityServer.MultiSession.Logout.BackChannelLogoutSender>(
            sp => sp.GetRequiredService<IdentityServer.MultiSession.Logout.BackChannelLogoutSender>()));

        services.AddProblemDetails();

        // Problem details carry the W3C trace id of the request (the one in the log lines), not the hosting layer's request id.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Http.ProblemDetailsOptions>, IdentityServer.MultiSession.Http.ProblemDetailsTraceIdSetup>());

        // Events and metrics of committed changes.
        services.AddMetrics();
        services.TryAddSingleton<IdentityServer.MultiSession.Metrics.MultiSessionMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IdentityServer.MultiSession.Metrics.MultiSessionMetricsRefresher>());
        services.TryAddSingleton<IdentityServer.MultiSession.Events.MultiSessionEventRaiser>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, MultiSessionLimitExceptionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, MultiSessionSignInSupersededExceptionHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, DatabaseFailureExceptionHandler>());
        services.AddRazorPages();
        // The library's public page models are abstract; Razor Pages creates their internal implementations.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<Microsoft.AspNetCore.Mvc.RazorPages.RazorPagesOptions>, IdentityServer.MultiSession.Http.PageImplementationConvention>());
        services.AddAuthorizationCore();
        services.AddLocalization();
        services.TryAddScoped<IClientDisplayNameResolver, NoClientDisplayNameResolver>();
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(options => options.Filters.Add(new IdentityServer.MultiSession.Http.AntiforgeryCacheHeadersFilter()));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<Microsoft.AspNetCore.Mvc.MvcOptions>, IdentityServer.MultiSession.DependencyInjection.TolerantValueProvidersSetup>());

        return new MultiSessionBuilder(services);
    }
}
