namespace IdpHost;

/// <summary>
/// The resource class of the sign-in and account-management pages' texts (<c>Resources/IdentityTexts.*.resx</c>): inject
/// <c>IStringLocalizer&lt;IdentityTexts&gt;</c>. The keys are the English texts.
/// </summary>
public sealed class IdentityTexts;
