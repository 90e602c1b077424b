using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IdentityServer.MultiSession.Sessions;

/// <summary>
/// An account's avatar: the first letter of its name on one of a fixed palette of colours, chosen from a hash of the user id,
/// so that an account keeps its colour everywhere and on every device. When two accounts of one list would get the same
/// colour, the one with the greater user id takes the next free colour, so that the accounts a person sees side by side
/// differ. Every colour of the palette (the CSS classes <c>ms-avatar-0</c> … <c>ms-avatar-7</c>) has a contrast of 5:1 or more
/// with the white letter. Public for the views a host may keep copies of (<c>_MultiSessionPerson.cshtml</c>, the picker), which
/// draw the avatar with <see cref="Initial(DeviceSession)"/> and <see cref="ColourClass"/>.
/// </summary>
public static class AccountAvatar
{
    /// <summary>How many colours the palette has.</summary>
    internal const int PaletteSize = 8;

    /// <summary>The first letter of an account's name, upper case; <c>?</c> for an empty name.</summary>
    public static string Initial(DeviceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Initial(session.DisplayName);
    }

    /// <summary>The first letter of <paramref name="displayName"/>, upper case; <c>?</c> for an empty name.</summary>
    public static string Initial(string displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        var name = displayName.Trim();
        if (name.Length == 0)
        {
            return "?";
        }

        // A whole text element, so that a name starting with a surrogate pair or a combining mark keeps its first letter whole.
        var first = StringInfo.GetNextTextElementLength(name);
        return name[..first].ToUpper(CultureInfo.InvariantCulture);
    }

    /// <summary>The palette index of <paramref name="userId"/>: stable, from the SHA-256 of the id.</summary>
    internal static int ColourIndex(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userId), hash);
        return hash[0] % PaletteSize;
    }

    /// <summary>
    /// The CSS class of an account's avatar colour, such as <c>ms-avatar-3</c>, among the accounts of <paramref name="list"/>
    /// (the accounts shown with it; <c>null</c> for the account alone).
    /// </summary>
    public static string ColourClass(DeviceSession session, IEnumerable<DeviceSession>? list = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var taken = new HashSet<int>();
        foreach (var userId in (list ?? []).Select(s => s.UserId).Append(session.UserId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var index = ColourIndex(userId);
            while (taken.Count < PaletteSize && !taken.Add(index))
            {
                index = (index + 1) % PaletteSize;
            }

            if (userId == session.UserId)
            {
                return "ms-avatar-" + index.ToString(CultureInfo.InvariantCulture);
            }
        }

        return "ms-avatar-" + ColourIndex(session.UserId).ToString(CultureInfo.InvariantCulture);
    }
}
