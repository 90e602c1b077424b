using IdpHost.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IdentityServer.MultiSession.Tests.Infrastructure;

/// <summary>
/// The real host plus endpoints of the kind an adopting host adds (a JSON sign-in, an account page that refreshes the sign-in
/// after a password change, a page that reads the user's roles, a page that calls another service), mapped after the host's own.
/// </summary>
public class EndpointsIdpFactory : IdpFactory
{
    public const string NewPassword = "Changed-Pa55word!";

    /// <summary>Extra endpoints for one test.</summary>
    public Action<IEndpointRouteBuilder>? Endpoints { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new Startup(this)));
    }

    private sealed class Startup(EndpointsIdpFactory factory) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseRouting();
            app.UseEndpoints(endpoints =>
            {
                endpoints.MapPost("/test/json-sign-in", async (HttpContext context, SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users) =>
                {
                    var name = await context.Request.ReadFromJsonAsync<string>();
                    var user = await users.FindByNameAsync(name!);
                    await signIn.SignInAsync(user!, isPersistent: true);
                    return Results.Ok();
                });
                endpoints.MapPost("/test/refresh", async (HttpContext context, SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users) =>
                {
                    var user = await users.GetUserAsync(context.User);
                    if (user is null)
                    {
                        return Results.Unauthorized();
                    }

                    await signIn.RefreshSignInAsync(user);
                    return Results.Ok();
                });
                endpoints.MapPost("/test/change-password", async (HttpContext context, SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users) =>
                {
                    var user = await users.GetUserAsync(context.User);
                    if (user is null)
                    {
                        return Results.Unauthorized();
                    }

                    var result = await users.ChangePasswordAsync(user, DemoUsers.Password, NewPassword);
                    if (!result.Succeeded)
                    {
                        return Results.BadRequest(string.Join("; ", result.Errors.Select(e => e.Description)));
                    }

                    await signIn.RefreshSignInAsync(user);
                    return Results.Ok();
                });
                endpoints.MapGet("/test/roles", (HttpContext context) =>
                    context.User.Identity?.IsAuthenticated == true
                        ? Results.Ok(context.User.FindAll(context.User.Identities.First().RoleClaimType).Select(c => c.Value).ToArray())
                        : Results.Unauthorized());
                factory.Endpoints?.Invoke(endpoints);
            });
        };
    }
}
