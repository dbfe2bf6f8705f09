using System.Text.RegularExpressions;

namespace Compliance.Mail.Intake;

/// <summary>Whether intake acts on a message or ignores (and records) it.</summary>
public enum ScreenOutcome
{
    Process,
    Ignore,
}

/// <summary>The reason codes of a <see cref="ScreenDecision"/>, stable for audit entries.</summary>
public static class ScreenReason
{
    /// <summary>Nothing marks it as automatic: a person wrote it.</summary>
    public const string Ordinary = "ordinary";

    public const string OwnAddress = "own-address";
    public const string DeliveryReport = "delivery-report";
    public const string MailerDaemon = "mailer-daemon";
    public const string AutoSubmitted = "auto-submitted";
    public const string AutoResponseSuppress = "auto-response-suppress";
    public const string AutoReplyHeader = "auto-reply-header";
    public const string Precedence = "precedence";
    public const string NullReturnPath = "null-return-path";
    public const string OutOfOfficeSubject = "out-of-office-subject";
    public const string DeliveryReportSubject = "delivery-report-subject";
}

/// <summary>What <see cref="MessageScreen"/> decided, and why.</summary>
public sealed record ScreenDecision(ScreenOutcome Outcome, string Reason)
{
    public bool ShouldProcess => Outcome == ScreenOutcome.Process;
}

/// <summary>
/// Decides, from headers, content types, sender and subject only, whether a message is one a person wrote to us (process) or
/// an automatic one that must start nothing (ignore): our own mail, delivery reports, auto-replies, list and bulk mail.
/// The first rule that applies gives the reason, in the order of the rules below.
/// </summary>
public static partial class MessageScreen
{
    /// <summary>Screens <paramref name="message"/>; <paramref name="ownAddresses"/> are the research mailboxes (any case).</summary>
    public static ScreenDecision Screen(InboundMessage message, IEnumerable<string> ownAddresses)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(ownAddresses);

        // Our own mail looping back (a copy, a relay) must never become a request.
        if (ownAddresses.Any(a => string.Equals(InboundMessageReader.NormaliseAddress(a), message.FromAddress, StringComparison.Ordinal)))
        {
            return Ignore(ScreenReason.OwnAddress);
        }

        if (message.ContentTypes.Any(t => t is "multipart/report" or "message/delivery-status" or "message/global-delivery-status"))
        {
            return Ignore(ScreenReason.DeliveryReport);
        }

        var local = message.FromAddress.Split('@')[0];
        if (local is "mailer-daemon" or "postmaster")
        {
            return Ignore(ScreenReason.MailerDaemon);
        }

        // RFC 3834: any value but "no" marks a message sent automatically.
        if (message.Header("Auto-Submitted") is { } autoSubmitted && FirstToken(autoSubmitted) is { Length: > 0 } kind && kind != "no")
        {
            return Ignore(ScreenReason.AutoSubmitted);
        }

        // Exchange sets it on its own automatic messages (out-of-office, receipts) so that nothing answers them.
        if (message.Header("X-Auto-Response-Suppress") is { } suppress && FirstToken(suppress) is { Length: > 0 } suppressed && suppressed != "none")
        {
            return Ignore(ScreenReason.AutoResponseSuppress);
        }

        if (message.Header("X-Autoreply") is not null || message.Header("X-Autorespond") is not null || message.Header("X-Autoresponder") is not null)
        {
            return Ignore(ScreenReason.AutoReplyHeader);
        }

        if (message.Header("Precedence") is { } precedence && FirstToken(precedence) is "bulk" or "auto_reply" or "list" or "junk")
        {
            return Ignore(ScreenReason.Precedence);
        }

        // RFC 3834 again: automatic responses go out with an empty envelope sender; people's mail never does.
        if (message.Header("Return-Path") is { } returnPath && returnPath.Replace(" ", string.Empty, StringComparison.Ordinal) == "<>")
        {
            return Ignore(ScreenReason.NullReturnPath);
        }

        if (OutOfOffice().IsMatch(message.Subject))
        {
            return Ignore(ScreenReason.OutOfOfficeSubject);
        }

        if (DeliveryFailure().IsMatch(message.Subject))
        {
            return Ignore(ScreenReason.DeliveryReportSubject);
        }

        return new ScreenDecision(ScreenOutcome.Process, ScreenReason.Ordinary);
    }

    private static ScreenDecision Ignore(string reason) => new(ScreenOutcome.Ignore, reason);

    private static string FirstToken(string value) => value.Split([';', ',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.ToLowerInvariant() ?? string.Empty;

    // At the start of the subject only: a person may well write "out of office" inside a sentence.
    [GeneratedRegex(@"^\s*(automatic\s+reply|auto[\s-]?reply|autoreply|auto[\s-]?response|out\s+of\s+(the\s+)?office|ooo\b|away\s+from\s+(the\s+)?office|on\s+annual\s+leave|on\s+holiday\s*:|on\s+vacation\s*:|vacation\s+reply)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutOfOffice();

    /// <summary>
    /// Whether a subject is a mail client's own out-of-office prefix (<c>Automatic reply:</c>, <c>Out of Office:</c>): written by
    /// software, unlike "Out of office from the 14th – my transcript", which a person may write and which may ask for something.
    /// </summary>
    public static bool IsClientAwayPrefix(string? subject) => subject is not null && ClientAwayPrefix().IsMatch(subject);

    [GeneratedRegex(@"^\s*(automatic\s+reply|auto[\s-]?reply|autoreply|auto[\s-]?response|out\s+of\s+(the\s+)?office|ooo|vacation\s+reply)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClientAwayPrefix();

    [GeneratedRegex(@"^\s*(undeliverable|undelivered\s+mail|delivery\s+status\s+notification|delivery\s+(has\s+)?failed|mail\s+delivery\s+(failed|failure|system)|returned\s+mail|failure\s+notice|delivery\s+failure)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DeliveryFailure();
}
