using Microsoft.AspNetCore.Mvc;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// Says what just happened ("Bob Brown was signed out"), once, on the page the user lands on after a sign-out in the picker or
/// on the limit page: <c>@await Component.InvokeAsync("MultiSessionStatus")</c>. Renders nothing when there is no news.
/// </summary>
[ViewComponent(Name = "MultiSessionStatus")]
public sealed class MultiSessionStatusViewComponent : ViewComponent
{
    /// <summary>The TempData key of the message.</summary>
    public const string TempDataKey = "MultiSession.Status";

    /// <summary>Renders the message, if any, in a <c>role="status"</c> paragraph.</summary>
    public IViewComponentResult Invoke() =>
        TempData[TempDataKey] is string { Length: > 0 } message ? View(model: message) : Content(string.Empty);
}
