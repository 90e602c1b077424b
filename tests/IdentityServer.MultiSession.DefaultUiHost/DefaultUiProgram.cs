using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.DefaultUiHost;

/// <summary>
/// The smallest host that composes Identity's default UI (<c>AddDefaultIdentity</c>, whose Razor pages under
/// <c>/Identity/Account</c> are used as shipped) with the multi-session library (<c>AddMultiSession</c>): several accounts
/// sign in through the default login form, appear in the library's picker, and the default account pages keep working.
/// </summary>
public class DefaultUiProgram
{
    /// <summary>Starts the host; <c>ConnectionStrings:DefaultUi</c> names its SQLite database (created on start).</summary>
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var connection = builder.Configuration.GetConnectionString("DefaultUi") ?? "Data Source=default-ui.db";
        builder.Services.AddDbContext<DefaultUiDbContext>(options => options.UseSqlite(connection));
        builder.Services.AddDefaultIdentity<IdentityUser>()
            .AddEntityFrameworkStores<DefaultUiDbContext>()
            .AddMultiSession()
            .AddEntityFrameworkStore<DefaultUiDbContext>();
        builder.Services.AddRazorPages();

        var app = builder.Build();
        using (var scope = app.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<DefaultUiDbContext>().Database.EnsureCreated();
        }

        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMultiSession();
        app.MapRazorPages();
        app.MapGet("/", () => Results.Text("Default UI host"));
        app.Run();
    }
}
