using Compliance.Console.Layout;
using Compliance.Mail;
using Compliance.Requests;

namespace Compliance.Console.Requests;

/// <summary>A request's timeline: every step of its history and every email written for it, in time order.</summary>
public static class Timeline
{
    public sealed record Item(DateTimeOffset At, string What, string Detail);

    public static IReadOnlyList<Item> Of(IReadOnlyList<RequestHistoryEntry> history, IReadOnlyList<EmailView> emails)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(emails);
        return history
            .Select(h => new Item(h.At, Words.Event(h.Event), $"by {h.Actor}; then {Words.Status(h.Status).ToLowerInvariant()}"))
            .Concat(emails.Select(e => new Item(e.WrittenAt, $"{(e.Direction == "in" ? "Email received" : "Email")}: {e.Subject}", $"{Words.EmailState(e.State).ToLowerInvariant()} {Words.EmailProgress(e)}".TrimEnd())))
            .OrderBy(i => i.At)
            .ToList();
    }
}
