using System.Globalization;
using System.Text.RegularExpressions;
using Compliance.Functions.Http;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Mail;

namespace Compliance.Functions.Requests;

/// <summary>The body of <c>POST /api/requests</c>, validated: every field that is wrong is named, not only the first.</summary>
public sealed partial record SubmitRequestBody
{
    public const int MaxEmailLength = 254;
    public const int MaxNameLength = 200;
    public const int MaxDetailsLength = 10_000;

    /// <summary>What a phone number must be, as both the API and the portal say it.</summary>
    public const string PhoneRule = "must be a phone number: digits, spaces, '+', '-', brackets.";

    private static readonly TimeZoneInfo UkTime = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private static readonly string[] KnownFields = ["studyId", "type", "email", "name", "participantRef", "details", "receivedAt", "channel", "identityConfirmed", "changes"];
    private static readonly string[] ChangeFields = ["name", "email", "phone"];

    public required string StudyId { get; init; }
    public required string Type { get; init; }
    public required string Email { get; init; }
    public string? Name { get; init; }
    public string? ParticipantRef { get; init; }
    public string? Details { get; init; }

    /// <summary>For <c>rectify-contact</c>: the contact details as they should be (<c>{name?, email?, phone?}</c>).</summary>
    public ContactCorrection? Changes { get; init; }

    /// <summary>Staff only: when the request was received, if not now.</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>Staff only: how it was received.</summary>
    public string? Channel { get; init; }

    /// <summary>Staff only: identity already confirmed by other means.</summary>
    public bool? IdentityConfirmed { get; init; }

    /// <summary>Whether any field that only staff may set is present.</summary>
    public bool HasStaffFields => ReceivedAt is not null || Channel is not null || IdentityConfirmed is not null;

    /// <summary>The schema, with a <c>receivedAt</c> no later than a few minutes after <paramref name="now"/>.</summary>
    public static BodySchema<SubmitRequestBody> Schema(DateTimeOffset now) => new(KnownFields, fields => Read(fields, now));

    /// <summary>The request this body makes, entered by <paramref name="enteredBy"/>; received <paramref name="now"/> unless it says when.</summary>
    public NewRequest ToNewRequest(string enteredBy, DateTimeOffset now) => new(
        StudyId,
        Type,
        Email,
        Name,
        Details,
        Channel ?? RequestChannel.Web,
        ReceivedAt ?? now,
        IdentityConfirmed ?? false,
        enteredBy,
        Changes,
        ParticipantRef);

    /// <summary>Reads and validates the body, naming each bad field with what is wrong.</summary>
    private static SubmitRequestBody Read(JsonFields fields, DateTimeOffset now)
    {
        var studyId = fields.Text("studyId", required: true, 64, StudyIds.IsWellFormed, "must be letters, digits, '-' or '_' (starting with a letter or digit).");
        var type = fields.Text("type", required: true, 32, RequestType.IsValid, $"must be one of: {string.Join(", ", RequestType.All)}.");
        var email = fields.Text("email", required: true, MaxEmailLength, EmailAddresses.IsPlain, "must be a single email address such as name@example.org.");
        var name = fields.Text("name", required: false, MaxNameLength);
        var participantRef = fields.Text("participantRef", required: false, 64, StudyIds.IsWellFormed, "must be letters, digits, '-' or '_'.");
        var details = fields.Text("details", required: false, MaxDetailsLength);
        var channel = fields.Text("channel", required: false, 16, RequestChannel.IsValid, $"must be one of: {string.Join(", ", RequestChannel.All)}.");

        DateTimeOffset? receivedAt = null;
        var receivedText = fields.Text("receivedAt", required: false, 40);
        if (receivedText is not null)
        {
            receivedAt = ParseReceivedAt(receivedText);
            if (receivedAt is null)
            {
                fields.Add("receivedAt", "must be an ISO 8601 date (2026-03-03) or date and time with offset (2026-03-03T10:15:00Z).");
            }
            else if (receivedAt > now.AddMinutes(5))
            {
                fields.Add("receivedAt", "must not be in the future.");
                receivedAt = null;
            }
        }

        var identityConfirmed = fields.Boolean("identityConfirmed");
        var changes = ParseChanges(fields, type);

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
            Changes = changes,
        };
    }

    /// <summary>The new contact details of a rectification; each bad one is named as <c>changes.{field}</c>.</summary>
    private static ContactCorrection? ParseChanges(JsonFields fields, string? type)
    {
        if (fields.Mapping("changes", required: false) is not { } element)
        {
            return null;
        }

        if (type != RequestType.RectifyContact)
        {
            fields.Add("changes", $"is only for {RequestType.RectifyContact} requests.");
            return null;
        }

        var inner = new JsonFields(element, ChangeFields);
        var change = new ContactCorrection(
            inner.Text("name", required: false, MaxNameLength),
            inner.Text("email", required: false, MaxEmailLength, EmailAddresses.IsPlain, "must be a single email address such as name@example.org."),
            inner.Text("phone", required: false, ContactCorrection.MaxPhoneLength, ContactCorrection.IsPhoneNumber, PhoneRule));
        foreach (var (field, messages) in inner.Errors)
        {
            foreach (var message in messages)
            {
                fields.Add($"changes.{field}", message);
            }
        }

        if (!inner.HasErrors && change.IsEmpty)
        {
            fields.Add("changes", "must give at least one of name, email, phone.");
        }

        return inner.HasErrors || change.IsEmpty ? null : change;
    }

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

    [GeneratedRegex("[+-][0-9]{2}:[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetPattern();
}
