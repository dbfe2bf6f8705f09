using Compliance.Audit;
using Compliance.Console.Layout;
using Compliance.Mail;
using Compliance.Requests;

namespace Compliance.Console.Requests;

/// <summary>
/// A request's timeline: every step of its history, every email written for it or received about it, and (for the DPO, who
/// may read the audit log) every audit entry about it with its place in its chain, in time order.
/// </summary>
public static class Timeline
{
    public sealed record Item(DateTimeOffset At, string What, string Detail);

    public static IReadOnlyList<Item> Of(IReadOnlyList<RequestHistoryEntry> history, IReadOnlyList<EmailView> emails, IReadOnlyList<AuditEntry>? audit = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(emails);
        return history
            .Select(h => new Item(h.At, Words.Event(h.Event), $"by {h.Actor}; then {Words.Status(h.Status).ToLowerInvariant()}"))
            .Concat(emails.Select(e => new Item(e.WrittenAt, $"{(e.Direction == "in" ? "Email received" : "Email")}: {e.Subject}", $"{Words.EmailState(e.State).ToLowerInvariant()} {Words.EmailProgress(e)}".TrimEnd())))
            .Concat((audit ?? []).Select(a => new Item(a.At, $"Audit: {a.Action}", $"by {a.Actor}; entry {a.Sequence} of {a.Chain}")))
            .OrderBy(i => i.At)
            .ToList();
    }
}
