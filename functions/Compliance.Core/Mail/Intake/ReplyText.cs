using System.Text;
using System.Text.RegularExpressions;

namespace Compliance.Mail.Intake;

/// <summary>
/// The new text of an email: what its sender wrote, without the quoted message it answers. Intake reads codes and intents
/// from this text only, so a quoted code or a quoted sentence of ours is never taken for the sender's words.
/// </summary>
/// <remarks>
/// Quoted lines (<c>&gt;</c>) are dropped. Everything from the first reply header on is dropped: Gmail's
/// <c>On … wrote:</c> (also wrapped over two lines), Outlook's <c>-----Original Message-----</c>, its
/// <c>From: … Sent: …</c> block (with or without the underscore rule above it) and the signature separator <c>-- </c>.
/// A forwarded message is different: the sender chose to send us its words, so only its header block
/// (<c>---------- Forwarded message ---------</c>, <c>Begin forwarded message:</c> and the From/Date/Subject/To lines) is
/// removed and its text kept.
/// </remarks>
public static partial class ReplyText
{
    /// <summary>The new text of <paramref name="text"/> (line breaks normalised to <c>\n</c>, trimmed).</summary>
    public static string NewText(string? text) => NewText(text, forwarded: false);

    /// <summary>
    /// Whether <paramref name="subject"/> says the message forwards another (<c>FW:</c>, <c>Fwd:</c>): then the first Outlook
    /// <c>From: … Sent: …</c> block heads the forwarded message, whose words the sender chose to send, rather than a quote.
    /// </summary>
    public static bool IsForward(string? subject) => subject is not null && ForwardSubject().IsMatch(subject);

    /// <summary>Whether <paramref name="subject"/> says the message answers another (<c>Re:</c>, <c>AW:</c>): then it is the thread's subject, not the sender's words.</summary>
    public static bool IsReply(string? subject) => subject is not null && ReplySubject().IsMatch(subject);

    /// <summary>The new text of a message's body, its forwarded message kept when its subject says it forwards one.</summary>
    public static string NewText(string? text, string? subject) => NewText(text, IsForward(subject));

    private static string NewText(string? text, bool forwarded)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var output = new StringBuilder();
        var inForwardHeader = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith('>'))
            {
                continue;
            }

            if (IsReplyHeader(lines, i))
            {
                if (!forwarded)
                {
                    break;
                }

                // The forwarded message's header: its lines go, its text stays; a later header is a quote again.
                forwarded = false;
                inForwardHeader = true;
                continue;
            }

            if (line == "-- " || trimmed == "--")
            {
                break;
            }

            if (ForwardMarker().IsMatch(trimmed))
            {
                inForwardHeader = true;
                continue;
            }

            if (inForwardHeader)
            {
                if (HeaderLine().IsMatch(trimmed))
                {
                    continue;
                }

                if (trimmed.Length == 0)
                {
                    continue;
                }

                inForwardHeader = false;
            }

            output.Append(line.TrimEnd()).Append('\n');
        }

        return output.ToString().Trim();
    }

    private static bool IsReplyHeader(string[] lines, int i)
    {
        var line = lines[i].Trim();
        if (OriginalMessage().IsMatch(line))
        {
            return true;
        }

        if (OnWrote().IsMatch(line))
        {
            return true;
        }

        // Gmail wraps a long attribution: "On Tue, 1 Dec 2026 at 10:02, Research Team <…>" / "wrote:".
        if (line.StartsWith("On ", StringComparison.Ordinal) && i + 1 < lines.Length && OnWrote().IsMatch(line + " " + lines[i + 1].Trim()))
        {
            return true;
        }

        // Outlook: "From: …" followed within a few lines by "Sent: …" (or "Date: …"); an underscore rule may precede it.
        if (Underscores().IsMatch(line) && i + 1 < lines.Length && lines[i + 1].TrimStart().StartsWith("From:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (line.StartsWith("From:", StringComparison.OrdinalIgnoreCase))
        {
            for (var j = i + 1; j < Math.Min(lines.Length, i + 5); j++)
            {
                if (SentLine().IsMatch(lines[j].Trim()))
                {
                    return !IsInForwardBlock(lines, i);
                }
            }
        }

        return false;
    }

    // A From/Sent block right under a forward marker is the forwarded message's header, not a reply's.
    private static bool IsInForwardBlock(string[] lines, int i)
    {
        for (var j = i - 1; j >= 0 && j >= i - 3; j--)
        {
            var previous = lines[j].Trim();
            if (ForwardMarker().IsMatch(previous))
            {
                return true;
            }

            if (previous.Length > 0 && !Underscores().IsMatch(previous))
            {
                return false;
            }
        }

        return false;
    }

    [GeneratedRegex(@"^-{2,}\s*Original\s+Message\s*-{2,}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^On\s.{4,300}\swrote:$", RegexOptions.CultureInvariant)]
    private static partial Regex OnWrote();

    [GeneratedRegex(@"^_{10,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Underscores();

    [GeneratedRegex(@"^(Sent|Date):\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SentLine();

    [GeneratedRegex(@"^(-{2,}\s*Forwarded\s+message\s*-{2,}|Begin\s+forwarded\s+message:?|-{2,}\s*Forwarded\s+by\b.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForwardMarker();

    [GeneratedRegex(@"^(From|Sent|Date|To|Cc|Subject|Reply-To):", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"^\s*(fw|fwd)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForwardSubject();

    [GeneratedRegex(@"^\s*(re|aw|sv|antw)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplySubject();
}
