using System.Globalization;
using Compliance.Audit;
using Compliance.Mail;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;
using MimeKit;

namespace Compliance.Suppliers;

/// <summary>
/// The one writer of supplier notices (Art. 19): after a request's withdrawal or erasure, and after a retention sweep, each
/// supplier that transcribed one of the sessions concerned is told which sessions' material to delete (session ids only),
/// and each notice is audited. Safe to run again: one email and one audit entry per supplier.
/// </summary>
public sealed class SupplierNotifier(StudyStore studies, HoldStore holds, SupplierStore suppliers, Mailer mailer, StudyEmails emails, AuditLog audit)
{
    /// <summary>Scope of a supplier notice after a withdrawal: the session's recordings and transcripts.</summary>
    public const string SessionMaterial = "session-material";

    /// <summary>Scope of a supplier notice after an erasure of contact details.</summary>
    public const string ContactDetails = "contact-details";

    /// <summary>The suppliers a request's notice of <paramref name="scope"/> goes to.</summary>
    public async Task<IReadOnlyList<string>> SuppliersToTellAsync(DataSubjectRequestRecord request, string scope, CancellationToken cancellationToken) =>
        (await SessionsToTellAsync(request, scope, cancellationToken)).Select(g => g.Key).ToList();

    /// <summary>
    /// Tells each supplier that transcribed one of the request's participant's sessions which sessions' material (or which
    /// participant's contact details) to delete. Returns how many suppliers were told.
    /// </summary>
    public async Task<int> NotifyForRequestAsync(DataSubjectRequestRecord request, string scope, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sessions = await SessionsToTellAsync(request, scope, cancellationToken);
        foreach (var group in sessions)
        {
            var supplier = await suppliers.FindAsync(group.Key, cancellationToken);
            var sessionIds = string.Join(", ", group.Select(s => s.SessionId).Order(StringComparer.Ordinal));
            if (supplier?.Email is { } address)
            {
                var extra = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["sessionIds"] = sessionIds,
                    ["materials"] = scope == SessionMaterial
                        ? "the recordings, transcripts and notes"
                        : "any contact details of the participant (such as a name, email address or phone number in your correspondence)",
                    ["studyId"] = request.StudyId,
                };
                await mailer.SendToAsync(request, EmailKind.SupplierDeletionNotice, $"supplier-notice-{group.Key}", EmailRecipient.OnRecord(address, supplier.Name), extra, at, toParticipant: false, cancellationToken);
            }

            // Without an address on record the notice cannot go by email; the confirmation task tells the DPO to send it by hand.
            await audit.AppendAsync(
                RequestAuditEvents.Step(
                    request,
                    AuditActions.SupplierNotified,
                    $"supplier-notice-{group.Key}",
                    AuditActors.System,
                    ("supplierId", group.Key),
                    ("sessions", RequestAuditEvents.Ids(group.Select(s => s.SessionId).Order(StringComparer.Ordinal))),
                    ("scope", scope),
                    ("sent", supplier?.Email is null ? "no-address-on-record" : "outbox")),
                cancellationToken);
        }

        return sessions.Count;
    }

    /// <summary>
    /// After a sweep: the suppliers that transcribed one of the study's swept sessions, in order, each with those sessions'
    /// ids. A session any of whose material a hold kept is left out: its copies must be kept too.
    /// </summary>
    public async Task<IReadOnlyList<(string SupplierId, IReadOnlyList<string> SessionIds)>> SweptSessionsAsync(string studyId, RetentionInventory inventory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        bool Holds(IEnumerable<string> names, string sessionId) => names.Any(n => n.StartsWith($"{studyId}/{sessionId}/", StringComparison.Ordinal));
        return (await studies.ListSessionsAsync(studyId, cancellationToken))
            .Where(s => s.SupplierId is not null && Holds(inventory.Items.Select(i => i.BlobName), s.SessionId) && !Holds(inventory.Held.Select(h => h.BlobName), s.SessionId))
            .GroupBy(s => s.SupplierId!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(s => s.SessionId).Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>Tells <paramref name="supplierId"/> to delete its copies of <paramref name="sessionIds"/> after sweep <paramref name="sweepId"/>.</summary>
    public async Task NotifyForSweepAsync(string studyId, string sweepId, string supplierId, IReadOnlyList<string> sessionIds, StudyPolicy policy, DateTimeOffset confirmBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessionIds);
        var supplier = await suppliers.FindAsync(supplierId, cancellationToken);
        if (supplier?.Email is { } address)
        {
            var key = $"retention-notice-{sweepId}";
            var values = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["certificateId"] = sweepId,
                ["rule"] = RetentionRule.Describe(policy),
                ["sessionIds"] = string.Join(", ", sessionIds),
                ["confirmBy"] = UkTime.DateOf(confirmBy).ToString("d MMMM yyyy", CultureInfo.InvariantCulture),
            };
            var message = emails.BuildToSupplier(supplierId, new MailboxAddress(supplier.Name, address), studyId, policy, SupplierEmailKind.RetentionNotice, key, values, at);
            await mailer.WriteForSupplierAsync(supplierId, studyId, SupplierEmailKind.RetentionNotice, key, message, cancellationToken);
        }

        // Without an address on record the notice cannot go by email: the DPO's task tells them to send it by hand.
        await audit.AppendAsync(
            RetentionAuditEvents.Sweep(studyId, AuditActions.SupplierNotified, $"{sweepId}:supplier-notice:{supplierId}", ("sweepId", sweepId), ("supplierId", supplierId), ("sessions", RequestAuditEvents.Ids(sessionIds)), ("sent", supplier?.Email is null ? "no-address-on-record" : "outbox")),
            cancellationToken);
    }

    /// <summary>
    /// The participant's sessions a supplier transcribed, by supplier, that a notice of <paramref name="scope"/> covers: what
    /// a hold keeps here is kept at the supplier too (a held session's material; a held participant's contact details).
    /// </summary>
    private async Task<List<IGrouping<string, Session>>> SessionsToTellAsync(DataSubjectRequestRecord request, string scope, CancellationToken cancellationToken)
    {
        var participant = request.ParticipantId!;
        var active = await holds.ListActiveAsync(request.StudyId, cancellationToken);
        return (await studies.ListSessionsAsync(request.StudyId, cancellationToken))
            .Where(s => s.SupplierId is not null && s.ParticipantIds.Contains(participant, StringComparer.Ordinal))
            .Where(s => !active.Any(h => h.Covers(request.StudyId, scope == SessionMaterial ? s.SessionId : null, [participant])))
            .GroupBy(s => s.SupplierId!, StringComparer.Ordinal)
            .ToList();
    }
}
