namespace Compliance.Mail;

/// <summary>
/// An email of a request's correspondence (<c>GET /api/requests/{id}/emails</c>), as staff read it: its headers, its sending
/// state and its body, the text part as written and the HTML part sanitised (no script, style, image or form; links as text).
/// Addresses are in it, so only roles that may see contact details get it.
/// </summary>
/// <remarks>
/// <c>messageKey</c> is the email's key in the request's outbox (e.g. <c>acknowledgement</c>), what resend names;
/// <c>direction</c> is <c>out</c> for what the service wrote and <c>in</c> for a message that made the request or replied
/// to it (its <c>messageKey</c> is then its intake key); <c>state</c> is one of <see cref="EmailStates"/>; <c>lastError</c>
/// is what the last failed attempt met (an exception type and any SMTP status, never the server's words, which may quote an
/// address); <c>text</c> is the plain part as sent, <c>html</c> the HTML part sanitised.
/// </remarks>
public sealed record EmailView(
    string MessageKey,
    string Direction,
    string? Kind,
    string Subject,
    string From,
    string To,
    DateTimeOffset? Date,
    DateTimeOffset WrittenAt,
    string? MessageId,
    string State,
    int Attempts,
    DateTimeOffset? SentAt,
    DateTimeOffset? FailedAt,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    string? Text,
    string? Html);

/// <summary>The answer to <c>GET /api/requests/{id}/emails</c>: the request's emails in the order they were written.</summary>
public sealed record RequestCorrespondenceView(string RequestId, IReadOnlyList<EmailView> Emails);

/// <summary>The sending states of an email.</summary>
public static class EmailStates
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    /// <summary>An inbound message (direction <c>in</c>): received, nothing to send.</summary>
    public const string Received = "received";
}
