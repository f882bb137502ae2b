using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.SocialScale;

/// <summary>
/// Writes instants as ISO 8601 in UTC with a <c>Z</c> suffix (<c>2026-11-01T00:00:00Z</c>), the form
/// plugins parse most easily; reads any ISO 8601 offset.
/// </summary>
public sealed class Iso8601UtcConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.GetDateTimeOffset();

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
    }
}
