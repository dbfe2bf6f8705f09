using System.Globalization;
using System.Text.RegularExpressions;

namespace Compliance.Requests;

/// <summary>
/// Request ids, such as <c>DSR-20261125-7KQ2M9XA</c>: the day of receipt (UTC) and 40 random bits in Crockford base32.
/// Short enough to quote in an email subject, never derived from anything about the requester, and the
/// orchestration instance id of the request's workflow.
/// </summary>
public static partial class RequestId
{
    /// <summary>A new id for a request received at <paramref name="receivedAt"/>.</summary>
    public static string New(DateTimeOffset receivedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"DSR-{receivedAt.UtcDateTime:yyyyMMdd}-{PseudonymousId.RandomChars(8)}");

    /// <summary>
    /// The id of the request made by intent <paramref name="index"/> of the inbound message with <paramref name="intakeKey"/>:
    /// always the same for that message and intent, so intake run twice creates one request.
    /// </summary>
    public static string ForMessage(string intakeKey, int index, DateTimeOffset receivedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"DSR-{receivedAt.UtcDateTime:yyyyMMdd}-{PseudonymousId.DerivedChars($"{intakeKey}/{index}", 8)}");

    /// <summary>Whether <paramref name="value"/> has the shape of a request id (it may still name no request).</summary>
    public static bool IsWellFormed(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex("^DSR-[0-9]{8}-[0-9A-HJKMNP-TV-Z]{8}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
