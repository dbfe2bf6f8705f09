using System.Text;
using System.Text.RegularExpressions;
using Compliance.Mail;
using MimeKit;

namespace Compliance.Tests.Infrastructure;

/// <summary>What the recipient of a message in the outbox can read in it, for tests that check which words an email carries.</summary>
public static class SentMail
{
    /// <summary>
    /// The headers that thread messages: request ids and the deployment's Message-ID domain (<c>Mail:MessageIdDomain</c>, or
    /// the domain of <c>Mail:FromAddress</c>), a setting of the deployment rather than words of any study.
    /// </summary>
    public static IReadOnlyList<string> ThreadingHeaders { get; } = ["Message-ID", "In-Reply-To", "References"];

    /// <summary>Every message under <paramref name="prefix"/> (<c>requests/{id}/</c>, <c>studies/{id}/</c>), by blob name.</summary>
    public static async Task<IReadOnlyList<(string Name, MimeMessage Message)>> ReadAllAsync(Outbox outbox, string prefix)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        var messages = new List<(string, MimeMessage)>();
        foreach (var name in await outbox.ListAsync(prefix, TestContext.Current.CancellationToken))
        {
            messages.Add((name, await outbox.ReadAsync(name, TestContext.Current.CancellationToken)));
        }

        return messages;
    }

    /// <summary>Every header, decoded, the To and From names, and both bodies, decoded: all a mail client can show.</summary>
    public static string Readable(MimeMessage message, bool withThreadingHeaders = true)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = new StringBuilder();
        foreach (var header in message.Headers.Where(h => withThreadingHeaders || !ThreadingHeaders.Contains(h.Field, StringComparer.OrdinalIgnoreCase)))
        {
            text.Append(header.Field).Append(": ").Append(header.Value).Append('\n');
        }

        foreach (var mailbox in message.From.Mailboxes.Concat(message.To.Mailboxes).Concat(message.Cc.Mailboxes))
        {
            text.Append(mailbox.Name).Append(" <").Append(mailbox.Address).Append(">\n");
        }

        foreach (var part in message.BodyParts.OfType<TextPart>())
        {
            text.Append(part.Text).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Which of <paramref name="words"/> occur in <paramref name="text"/> as words of their own, ignoring case.</summary>
    public static IReadOnlyList<string> Occurring(string text, IEnumerable<string> words) =>
        words.Where(w => Regex.IsMatch(text, $"(?<![A-Za-z0-9]){Regex.Escape(w)}(?![A-Za-z0-9])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).ToList();
}
