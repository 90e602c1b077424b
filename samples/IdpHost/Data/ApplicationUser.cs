using Microsoft.AspNetCore.Identity;

namespace IdpHost.Data;

/// <summary>A user of the IdP.</summary>
public class ApplicationUser : IdentityUser
{
    /// <summary>The name shown in the account picker and sent as the <c>name</c> claim.</summary>
    public string? DisplayName { get; set; }
}
