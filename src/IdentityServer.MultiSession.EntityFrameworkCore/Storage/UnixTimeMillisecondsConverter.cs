using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IdentityServer.MultiSession.Storage;

/// <summary>
/// Stores <see cref="DateTimeOffset"/> as milliseconds since the Unix epoch, so that every provider (SQLite included)
/// compares and orders times in the database.
/// </summary>
internal sealed class UnixTimeMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.ToUnixTimeMilliseconds(),
    value => DateTimeOffset.FromUnixTimeMilliseconds(value));
