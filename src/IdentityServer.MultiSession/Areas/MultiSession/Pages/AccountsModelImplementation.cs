using System.Globalization;
using IdentityServer.MultiSession.Authentication;
using IdentityServer.MultiSession.Authorization;
using IdentityServer.MultiSession.Http;
using IdentityServer.MultiSession.Localization;
using IdentityServer.MultiSession.Sessions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace IdentityServer.MultiSession.Areas.MultiSession.Pages;

/// <summary>The account picker's implementation behind the public <see cref="AccountsModel"/>.</summary>
internal sealed class AccountsModelImplementation : AccountsModel
{
    private readonly IDeviceSessionService _sessions;
    private readonly ReturnUrlValidator _returnUrls;
    private readonly AccountSelectionProtector _selection;
    private readonly IOptionsMonitor<MultiSessionOptions> _options;
    private readonly TimeProvider _time;
    private readonly IClientDisplayNameResolver _clients;
    private readonly IStringLocalizer<MultiSessionText> _text;

    public AccountsModelImplementation(
        IDeviceSessionService sessions,
        ReturnUrlValidator returnUrls,
        AccountSelectionProtector selection,
        IOptionsMonitor<MultiSessionOptions> options,
        TimeProvider time,
        IClientDisplayNameResolver clients,
        IStringLocalizer<MultiSessionText> text)
    {
        _sessions = sessions;
        _returnUrls = returnUrls;
        _selection = selection;
        _options = options;
        _time = time;
        _clients = clients;
        _text = text;
    }

    public override string SafeReturnUrl => _returnUrls.Sanitize(ReturnUrl);

    public override bool ForAuthorization => _returnUrls.IsAuthorizationRequest(ReturnUrl);

    public override string AddAccountUrl
    {
        get
        {
            var target = ForAuthorization
                ? _selection.Append(SafeReturnUrl, AccountSelectionKind.SignIn, null)
                : SafeReturnUrl;
            return LoginUrl.Build(_options.CurrentValue, Request.PathBase, target);
        }
    }

    public override async Task OnGetAsync()
    {
        Response.PreventCaching();
        Sessions = await _sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
        SignedOutAccounts = await ListSignedOutAccountsAsync();
        await FindClientNameAsync();
    }

    public override string SignInAgainUrl(RememberedAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return LoginUrl.Build(
            _options.CurrentValue,
            Request.PathBase,
            ForAuthorization ? _selection.Append(SafeReturnUrl, AccountSelectionKind.SignIn, null) : SafeReturnUrl,
            account.LoginName);
    }

    public override async Task<IActionResult> OnPostForgetAsync(string? accountId)
    {
        var remembered = RememberedAccounts;
        var account = remembered is null || string.IsNullOrEmpty(accountId)
            ? null
            : (await remembered.ListAsync(HttpContext, HttpContext.RequestAborted)).FirstOrDefault(a => a.Id == accountId);
        if (account is null || !await remembered!.ForgetAsync(HttpContext, account.Id, HttpContext.RequestAborted))
        {
            return await ShowAsync(_text["Picker_NotRemembered"]);
        }

        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Picker_Forgotten", account.DisplayName].Value;
        return LocalRedirect(QueryHelpers.AddQueryString(Request.PathBase + _options.CurrentValue.PickerPath.Value, "returnUrl", SafeReturnUrl));
    }

    private IRememberedAccountService? RememberedAccounts =>
        HttpContext.RequestServices.GetService(typeof(IRememberedAccountService)) as IRememberedAccountService;

    private async Task<IReadOnlyList<RememberedAccount>> ListSignedOutAccountsAsync() =>
        RememberedAccounts is { } remembered ? await remembered.ListAsync(HttpContext, HttpContext.RequestAborted) : [];

    public override async Task<IActionResult> OnPostUseAsync(string? sessionToken)
    {
        if (ForAuthorization && !string.IsNullOrEmpty(sessionToken) && await FreshLoginUrlAsync(sessionToken) is { } login)
        {
            // prompt=login, or a max_age this account does not meet: picking it is not an authentication. It goes to the
            // login form with its hint, and is neither made active nor handed to the client until it signs in again.
            return LocalRedirect(login);
        }

        DeviceSession? session;
        try
        {
            session = string.IsNullOrEmpty(sessionToken) ? null : await _sessions.SetActiveAsync(HttpContext, sessionToken, HttpContext.RequestAborted);
        }
        catch (MultiSessionReauthenticationRequiredException reauthenticate)
        {
            // The switch policy: this account signs in again (with the methods of its last sign-in) before it is used; the
            // sign-in makes it active and, for an authorization request, hands it to the client.
            return LocalRedirect(ReauthenticationUrl(reauthenticate.Session));
        }

        if (session is null)
        {
            return await ShowAsync(_text["Picker_NoLongerSignedIn"]);
        }

        return ForAuthorization
            ? LocalRedirect(_selection.Append(SafeReturnUrl, AccountSelectionKind.Picked, session.SessionId))
            : LocalRedirect(SafeReturnUrl);
    }

    private async Task<string?> FreshLoginUrlAsync(string sessionToken)
    {
        var (prompt, maxAge) = FreshAuthentication.Read(SafeReturnUrl);
        if (!FreshAuthentication.IsAlwaysRequired(prompt, maxAge) && maxAge is null)
        {
            return null;
        }

        var sessions = await _sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
        var picked = sessions.FirstOrDefault(s => string.Equals(s.SessionToken, sessionToken, StringComparison.Ordinal));
        if (picked is null || !FreshAuthentication.IsRequired(prompt, maxAge, picked, _time.GetUtcNow()))
        {
            return null;
        }

        return LoginUrl.Build(
            _options.CurrentValue,
            Request.PathBase,
            _selection.Append(SafeReturnUrl, AccountSelectionKind.SignIn, null),
            LoginUrl.HintFor(picked));
    }

    private string ReauthenticationUrl(DeviceSession? account)
    {
        return LoginUrl.Build(
            _options.CurrentValue,
            Request.PathBase,
            ForAuthorization ? _selection.Append(SafeReturnUrl, AccountSelectionKind.SignIn, null) : SafeReturnUrl,
            LoginUrl.HintFor(account));
    }

    public override async Task<IActionResult> OnPostSignOutAsync(string? sessionToken, bool back = false)
    {
        // The account first (one list), for the confirmation and its clients' front-channel URLs: the session is gone afterwards.
        var account = string.IsNullOrEmpty(sessionToken)
            ? null
            : (await _sessions.ListAsync(HttpContext, HttpContext.RequestAborted)).FirstOrDefault(s => s.SessionToken == sessionToken);
        var frontChannel = back || account is null ? [] : await FrontChannelLogoutUrlsOfAsync(account);
        var revoked = account is not null && await _sessions.SignOutAccountAsync(HttpContext, account.SessionToken, HttpContext.RequestAborted);
        if (!revoked)
        {
            return await ShowAsync(_text["Picker_AlreadySignedOut"]);
        }

        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Picker_SignedOut", account!.DisplayName].Value;
        if (frontChannel.Count > 0)
        {
            TempData[FrontChannelLogoutKey] = string.Join('\n', frontChannel.Select(u => u.AbsoluteUri));
        }

        return back
            ? LocalRedirect(SafeReturnUrl)
            : LocalRedirect(QueryHelpers.AddQueryString(Request.PathBase + _options.CurrentValue.PickerPath.Value, "returnUrl", SafeReturnUrl));
    }

    public override async Task<IActionResult> OnPostSignOutAllAsync()
    {
        await _sessions.SignOutAsync(HttpContext, HttpContext.RequestAborted);
        TempData[MultiSessionStatusViewComponent.TempDataKey] = _text["Picker_AllSignedOut"].Value;
        return LocalRedirect(ForAuthorization ? SafeReturnUrl : _options.CurrentValue.HomePath.Value ?? "/");
    }

    public override IReadOnlyList<string> FrontChannelLogoutUrls =>
        TempData[FrontChannelLogoutKey] is string urls ? urls.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [];

    private const string FrontChannelLogoutKey = "MultiSession.FrontChannelLogout";

    private async Task<IReadOnlyList<Uri>> FrontChannelLogoutUrlsOfAsync(DeviceSession account) =>
        HttpContext.RequestServices.GetService(typeof(Logout.IFrontChannelLogoutUrlProvider)) is Logout.IFrontChannelLogoutUrlProvider provider
            ? await provider.GetUrlsAsync(account.SessionId, HttpContext.RequestAborted)
            : [];

    private async Task<IActionResult> ShowAsync(string message)
    {
        Message = message;
        Sessions = await _sessions.ListAsync(HttpContext, HttpContext.RequestAborted);
        SignedOutAccounts = await ListSignedOutAccountsAsync();
        await FindClientNameAsync();
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    private async Task FindClientNameAsync()
    {
        if (!ForAuthorization)
        {
            return;
        }

        var query = SafeReturnUrl.IndexOf('?', StringComparison.Ordinal);
        var clientId = query < 0 ? null : QueryHelpers.ParseQuery(SafeReturnUrl[query..]).GetValueOrDefault("client_id").ToString();
        if (!string.IsNullOrEmpty(clientId))
        {
            ClientName = await _clients.GetDisplayNameAsync(clientId, CultureInfo.CurrentUICulture, HttpContext.RequestAborted);
        }
    }
}
