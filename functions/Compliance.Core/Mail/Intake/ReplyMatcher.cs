using System.Text.RegularExpressions;
using Compliance.Requests;

namespace Compliance.Mail.Intake;

/// <summary>How a reply was tied to its request.</summary>
public enum ReplyEvidence
{
    /// <summary>In-Reply-To names a message we sent.</summary>
    InReplyTo,

    /// <summary>References names a message we sent (In-Reply-To did not).</summary>
    References,

    /// <summary>Only the subject carries the request's reference (the client dropped the threading headers).</summary>
    Subject,
}

/// <summary>
/// The request a reply answers: its id, the message key of the email it answers when the threading headers name one
/// (<c>verification-code-1</c>, <c>clarification-…</c>; null when matched by subject only), and the verification code found
/// in its new text.
/// </summary>
public sealed record ReplyMatch(string RequestId, string? MessageKey, ReplyEvidence MatchedBy, string? VerificationCode);

/// <summary>
/// Finds the request a message replies to, from the Message-IDs we send (<c>&lt;{requestId}.{messageKey}@{domain}&gt;</c>,
/// <see cref="Mail.RequestEmails.MessageIdFor"/>) and the <c>[Ref {requestId}]</c> every subject of ours carries.
/// </summary>
public static partial class ReplyMatcher
{
    /// <summary>
    /// The request <paramref name="message"/> replies to, or null. With <paramref name="messageIdDomain"/>, only ids of that
    /// domain count as ours (any case); without it, any domain.
    /// </summary>
    public static ReplyMatch? Match(InboundMessage message, string? messageIdDomain = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Match(message.InReplyTo, message.References, message.Subject, message.Text, messageIdDomain);
    }

    /// <summary>The same from the parts: In-Reply-To, References (oldest first), Subject and the body text.</summary>
    public static ReplyMatch? Match(string? inReplyTo, IReadOnlyList<string>? references, string? subject, string? text, string? messageIdDomain = null)
    {
        var code = VerificationCode(ReplyText.NewText(text));
        if (inReplyTo is not null && Ours(inReplyTo, messageIdDomain) is { } direct)
        {
            return new ReplyMatch(direct.RequestId, direct.MessageKey, ReplyEvidence.InReplyTo, code);
        }

        // The newest reference is the nearest message of the thread.
        foreach (var reference in (references ?? []).Reverse())
        {
            if (Ours(reference, messageIdDomain) is { } referenced)
            {
                return new ReplyMatch(referenced.RequestId, referenced.MessageKey, ReplyEvidence.References, code);
            }
        }

        return RequestIdInSubject(subject) is { } fromSubject ? new ReplyMatch(fromSubject, null, ReplyEvidence.Subject, code) : null;
    }

    /// <summary>The request id and message key of a Message-ID we sent, or null when it is not one of ours.</summary>
    public static (string RequestId, string MessageKey)? Ours(string messageId, string? messageIdDomain = null)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var match = OurMessageId().Match(MessageIds.Strip(messageId));
        if (!match.Success)
        {
            return null;
        }

        if (messageIdDomain is not null && !string.Equals(match.Groups["domain"].Value, messageIdDomain.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var requestId = match.Groups["id"].Value.ToUpperInvariant();
        return RequestId.IsWellFormed(requestId) ? (requestId, match.Groups["key"].Value.ToLowerInvariant()) : null;
    }

    /// <summary>The request id in a subject's <c>[Ref …]</c> (or a bare request id in it), or null.</summary>
    public static string? RequestIdInSubject(string? subject)
    {
        if (string.IsNullOrEmpty(subject))
        {
            return null;
        }

        var match = SubjectReference().Match(subject);
        if (!match.Success)
        {
            match = BareRequestId().Match(subject);
        }

        var id = match.Success ? match.Groups["id"].Value.ToUpperInvariant() : null;
        return RequestId.IsWellFormed(id) ? id : null;
    }

    /// <summary>
    /// The one six-digit code in <paramref name="newText"/> (<c>482913</c> or <c>482 913</c>), or null when there is none or
    /// there are two different ones (a guess would count as a wrong attempt). Pass the new text only (<see cref="ReplyText"/>).
    /// </summary>
    public static string? VerificationCode(string? newText)
    {
        if (string.IsNullOrEmpty(newText))
        {
            return null;
        }

        var codes = Code().Matches(newText).Select(m => m.Groups["a"].Value + m.Groups["b"].Value).Distinct(StringComparer.Ordinal).ToList();
        return codes.Count == 1 ? codes[0] : null;
    }

    [GeneratedRegex(@"^(?<id>DSR-[0-9]{8}-[0-9A-Z]{8})\.(?<key>[^@\s]+)@(?<domain>[^>\s]+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OurMessageId();

    [GeneratedRegex(@"\[\s*Ref\s*:?\s*(?<id>DSR-[0-9]{8}-[0-9A-Z]{8})\s*\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectReference();

    [GeneratedRegex(@"(?<![0-9A-Z-])(?<id>DSR-[0-9]{8}-[0-9A-Z]{8})(?![0-9A-Z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BareRequestId();

    // Not part of a longer number, a date, a phone number or a reference: nothing digit-like or joined on either side.
    [GeneratedRegex(@"(?<![\d+\-/.,£$])(?<!\d )(?<a>\d{3})[ ]?(?<b>\d{3})(?![\d\-/.:,%]\d|\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Code();
}
