namespace IdpHost;

/// <summary>
/// The resource class of the passkey texts of the login and account pages (<c>Resources/PasskeyTexts.*.resx</c>): inject
/// <c>IStringLocalizer&lt;PasskeyTexts&gt;</c>. The keys are the English texts.
/// </summary>
public sealed class PasskeyTexts;
