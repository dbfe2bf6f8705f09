using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Requests;
using MimeKit;

namespace Compliance.Functions.Requests;

/// <summary>The body of <c>POST /api/requests</c>, validated: every field that is wrong is named, not only the first.</summary>
public sealed partial record SubmitRequestBody
{
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 200;
    public const int MaxDetailsLength = 10_000;

    private static readonly TimeZoneInfo UkTime = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly string[] KnownFields = ["studyId", "type", "email", "name", "participantRef", "details", "receivedAt", "channel", "identityConfirmed"];

    public required string StudyId { get; init; }
    public required string Type { get; init; }
    public required string Email { get; init; }
    public string? Name { get; init; }
    public string? ParticipantRef { get; init; }
    public string? Details { get; init; }

    /// <summary>Staff only: when the request was received, if not now.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>Staff only: how it was received.</summary>
    public string? Channel { get; init; }

    /// <summary>Staff only: identity already confirmed by other means.</summary>
    public bool? IdentityConfirmed { get; init; }

    /// <summary>Whether any field that only staff may set is present.</summary>
    public bool HasStaffFields => ReceivedAt is not null || Channel is not null || IdentityConfirmed is not null;

    /// <summary>Reads and validates the body; <paramref name="errors"/> names each bad field with what is wrong.</summary>
    public static SubmitRequestBody? Parse(JsonElement body, DateTimeOffset now, out Dictionary<string, string[]> errors)
    {
        var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!problems.TryGetValue(field, out var list))
            {
                problems[field] = list = [];
            }

            list.Add(message);
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!KnownFields.Contains(property.Name, StringComparer.Ordinal))
            {
                Add(property.Name, "is not a field of a request.");
            }
        }

        var studyId = ReadString(body, "studyId", required: true, maxLength: 64, Add);
        if (studyId is not null && !StudyIdPattern().IsMatch(studyId))
        {
            Add("studyId", "must be letters, digits, '-' or '_' (starting with a letter or digit).");
        }

        var type = ReadString(body, "type", required: true, maxLength: 32, Add);
        if (type is not null && !RequestType.IsValid(type))
        {
            Add("type", $"must be one of: {string.Join(", ", RequestType.All)}.");
        }

        var email = ReadString(body, "email", required: true, maxLength: MaxEmailLength, Add);
        if (email is not null && !IsPlainAddress(email))
        {
            Add("email", "must be a single email address such as name@example.org.");
        }

        var name = ReadString(body, "name", required: false, maxLength: MaxNameLength, Add);
        var participantRef = ReadString(body, "participantRef", required: false, maxLength: 64, Add);
        if (participantRef is not null && !StudyIdPattern().IsMatch(participantRef))
        {
            Add("participantRef", "must be letters, digits, '-' or '_'.");
        }

        var details = ReadString(body, "details", required: false, maxLength: MaxDetailsLength, Add);

        var channel = ReadString(body, "channel", required: false, maxLength: 16, Add);
        if (channel is not null && !RequestChannel.IsValid(channel))
        {
            Add("channel", $"must be one of: {string.Join(", ", RequestChannel.All)}.");
        }

        DateTimeOffset? receivedAt = null;
        var receivedText = ReadString(body, "receivedAt", required: false, maxLength: 40, Add);
        if (receivedText is not null)
        {
            receivedAt = ParseReceivedAt(receivedText);
            if (receivedAt is null)
            {
                Add("receivedAt", "must be an ISO 8601 date (2026-03-03) or date and time with offset (2026-03-03T10:15:00Z).");
            }
            else if (receivedAt > now.AddMinutes(5))
            {
                Add("receivedAt", "must not be in the future.");
                receivedAt = null;
            }
        }

        bool? identityConfirmed = null;
        if (body.TryGetProperty("identityConfirmed", out var confirmed) && confirmed.ValueKind != JsonValueKind.Null)
        {
            if (confirmed.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                identityConfirmed = confirmed.GetBoolean();
            }
            else
            {
                Add("identityConfirmed", "must be true or false.");
            }
        }

        errors = problems.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            return null;
        }

        return new SubmitRequestBody
        {
            StudyId = studyId!,
            Type = type!,
            Email = email!,
            Name = name,
            ParticipantRef = participantRef,
            Details = details,
            ReceivedAt = receivedAt,
            Channel = channel,
            IdentityConfirmed = identityConfirmed,
        };
    }

    private static string? ReadString(JsonElement body, string field, bool required, int maxLength, Action<string, string> add)
    {
        if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                add(field, "is required.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            add(field, "must be a string.");
            return null;
        }

        var text = value.GetString()!.Trim();
        if (text.Length == 0)
        {
            if (required)
            {
                add(field, "must not be empty.");
            }

            return null;
        }

        if (text.Length > maxLength)
        {
            add(field, $"must be at most {maxLength} characters.");
            return null;
        }

        if (text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            add(field, "must not contain control characters.");
            return null;
        }

        return text;
    }

    private static bool IsPlainAddress(string email) =>
        !email.Any(char.IsWhiteSpace) &&
        MailboxAddress.TryParse(email, out var address) &&
        string.IsNullOrEmpty(address.Name) &&
        string.Equals(address.Address, email, StringComparison.Ordinal) &&
        address.Address.IndexOf('@', StringComparison.Ordinal) is > 0 and var at &&
        at < address.Address.Length - 1 &&
        address.Domain.Contains('.', StringComparison.Ordinal);

    /// <summary>A date means the start of that day in UK time, where the statutory clock is kept.</summary>
    private static DateTimeOffset? ParseReceivedAt(string text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var local = date.ToDateTime(TimeOnly.MinValue);
            return new DateTimeOffset(local, UkTime.GetUtcOffset(local)).ToUniversalTime();
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && HasOffset(text)
            ? at.ToUniversalTime()
            : null;
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || OffsetPattern().IsMatch(text);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex StudyIdPattern();

    [GeneratedRegex("[+-][0-9]{2}:[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();
}
