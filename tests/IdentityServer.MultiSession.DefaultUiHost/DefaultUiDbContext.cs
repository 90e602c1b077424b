using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace IdentityServer.MultiSession.DefaultUiHost;

/// <summary>Identity's own tables and the multi-session tables, in one SQLite database.</summary>
public sealed class DefaultUiDbContext(DbContextOptions<DefaultUiDbContext> options) : IdentityDbContext(options)
{
    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseMultiSession();
    }
}
