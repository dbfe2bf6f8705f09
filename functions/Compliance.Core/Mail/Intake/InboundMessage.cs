namespace Compliance.Mail.Intake;

/// <summary>What reading a raw message gave: a parsed message, or why there is none.</summary>
public enum InboundReadStatus
{
    /// <summary>Parsed: <see cref="InboundReadResult.Message"/> is set.</summary>
    Parsed,

    /// <summary>Larger than <see cref="IntakeOptions.MaxMessageBytes"/>; not parsed. The caller quarantines it.</summary>
    TooLarge,

    /// <summary>Not a message that can be handled (no header block, no sender). The caller quarantines it.</summary>
    Unparseable,
}

/// <summary>The reason codes of <see cref="InboundReadResult.Reason"/>, stable for audit entries and tasks.</summary>
public static class InboundReadReason
{
    public const string Parsed = "parsed";
    public const string TooLarge = "too-large";
    public const string Empty = "empty";
    public const string NoHeaders = "no-headers";
    public const string NoSender = "no-sender";
    public const string Malformed = "malformed";
}

/// <summary>
/// The result of <see cref="InboundMessageReader"/>. Every result, even a failed one, has an <see cref="IntakeKey"/>, so a
/// message quarantined twice is one piece of work.
/// </summary>
/// <param name="Status">Parsed, too large or unparseable.</param>
/// <param name="Reason">A code from <see cref="InboundReadReason"/>.</param>
/// <param name="MessageId">The Message-ID without angle brackets, or <c>sha256:{hex}</c> of the content when there is none.</param>
/// <param name="IntakeKey">The instance id of the message's intake work (<see cref="MessageIds.IntakeKeyFor"/>).</param>
/// <param name="SizeBytes">The size of the raw message as read (all of it, even when too large).</param>
/// <param name="Sha256">The SHA-256 of the raw bytes, lower-case hex: what was stored can be checked against it.</param>
/// <param name="Message">The parsed message; null unless <see cref="InboundReadStatus.Parsed"/>.</param>
public sealed record InboundReadResult(
    InboundReadStatus Status,
    string Reason,
    string MessageId,
    string IntakeKey,
    long SizeBytes,
    string Sha256,
    InboundMessage? Message)
{
    public bool IsParsed => Status == InboundReadStatus.Parsed;
}

/// <summary>Where <see cref="InboundMessage.Text"/> came from.</summary>
public enum BodySource
{
    None,
    Plain,
    Html,
}

/// <summary>An attachment as listed, never opened: its name, type and decoded size.</summary>
public sealed record InboundAttachment(string? FileName, string ContentType, long SizeBytes);

/// <summary>
/// A parsed inbound email: the fields intake decides on. Personal data (addresses, names, text) lives here, so it is kept in
/// storage and never in orchestration state or logs.
/// </summary>
/// <param name="MessageId">As in <see cref="InboundReadResult.MessageId"/>.</param>
/// <param name="HasMessageId">Whether the message carried a Message-ID (otherwise <paramref name="MessageId"/> is a content hash).</param>
/// <param name="IntakeKey">The instance id of the message's intake work.</param>
/// <param name="FromAddress">The sender's address (From, else Sender), trimmed and lower-case.</param>
/// <param name="FromName">The sender's display name, if any.</param>
/// <param name="Subject">The decoded subject, trimmed; empty when there is none.</param>
/// <param name="Date">The Date header, if present and valid.</param>
/// <param name="InReplyTo">The first id of In-Reply-To, without angle brackets.</param>
/// <param name="References">The ids of References, oldest first, without angle brackets.</param>
/// <param name="Text">The body as plain text: text/plain when there is one, otherwise the HTML reduced to text.</param>
/// <param name="TextSource">Which body <paramref name="Text"/> came from.</param>
/// <param name="Attachments">Every non-body part (attachments, inline images, attached messages), listed only.</param>
/// <param name="Headers">The top-level headers by lower-case name (the first of each name), values unfolded and trimmed.</param>
/// <param name="ContentTypes">The MIME types of every entity of the message, outermost first (e.g. <c>multipart/report</c>).</param>
public sealed record InboundMessage(
    string MessageId,
    bool HasMessageId,
    string IntakeKey,
    string FromAddress,
    string? FromName,
    string Subject,
    DateTimeOffset? Date,
    string? InReplyTo,
    IReadOnlyList<string> References,
    string Text,
    BodySource TextSource,
    IReadOnlyList<InboundAttachment> Attachments,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyList<string> ContentTypes)
{
    /// <summary>The value of a top-level header by name (any case), or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}
