using IdentityServer.MultiSession;
using IdentityServer.MultiSession.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace PackageConsumer.Pages.Account;

/// <summary>The adopter's own login page: SignInManager as usual; the library adds the account and enforces the limit.</summary>
[DeviceScopedAntiforgery]
public sealed class LoginModel(SignInManager<IdentityUser> signIn) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            var result = await signIn.PasswordSignInAsync(UserName ?? "", Password ?? "", isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded)
            {
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/MultiSession/Accounts");
            }

            Error = "The user name or password is wrong.";
        }
        catch (MultiSessionLimitReachedException)
        {
            Error = "This browser already has the maximum number of accounts signed in.";
        }
        catch (MultiSessionSignInSupersededException exception)
        {
            Error = exception.Message;
        }

        return Page();
    }
}
