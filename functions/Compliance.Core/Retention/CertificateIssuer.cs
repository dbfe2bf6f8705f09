using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;
using Microsoft.Extensions.Options;

namespace Compliance.Retention;

/// <summary>
/// The one place a deletion certificate is assembled: a request's (withdrawal, erasure) and a retention sweep's. Each is
/// written once; a second run reads back the first.
/// </summary>
public sealed class CertificateIssuer(
    CertificateStore certificates,
    RetentionInventoryBuilder inventories,
    StudyPolicies policies,
    HoldStore holds,
    TaskStore tasks,
    IOptions<StorageProtectionOptions> protection)
{
    /// <summary>The id of a request's deletion certificate (and of the inventory taken before it deleted).</summary>
    public static string IdForRequest(string requestId) => "DC-" + requestId;

    /// <summary>
    /// The deletion certificate of a withdrawal or an erasure, once the supplier has confirmed (or was not told, or its time
    /// ran out): every item of the inventory taken before the deletion that is no longer listable, the contact details
    /// erased (checked to be gone) or held, what holds kept, the suppliers told and their confirmations.
    /// </summary>
    public async Task<string> IssueForRequestAsync(DataSubjectRequestRecord request, IEnumerable<string> suppliersTold, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(suppliersTold);
        var id = IdForRequest(request.RequestId);
        if (await certificates.FindAsync(id, cancellationToken) is not null)
        {
            return id;
        }

        var inventory = await certificates.ReadInventoryAsync(id, cancellationToken) ?? throw new InvalidOperationException($"Request {request.RequestId} has no deletion inventory.");
        var present = await inventories.StillPresentAsync(inventory.Items, cancellationToken);

        // An erasure's: every participant planned to lose their contact details must have none left.
        var contactsLeft = await inventories.ContactsLeftAsync(request.StudyId, inventory.Participants, cancellationToken);
        var confirmation = await tasks.FindAsync(TaskStore.IdFor(request.RequestId, TaskKind.SupplierConfirmation), cancellationToken);
        var told = suppliersTold.Order(StringComparer.Ordinal).Select(sid => DeletionCertificate.RecipientLine(sid, confirmation?.CompletedAt)).ToList();
        await certificates.TryWriteAsync(
            Assemble(
                id,
                new DeletionAuthority("request", request.StudyId, null, null, null, request.RequestId),
                inventory,
                inventory.TakenAt,
                at,
                inventory.Items.Except(present).ToList(),
                inventory.Held.SelectMany(h => h.HoldIds).GroupBy(h => h, StringComparer.Ordinal).Select(g => new HeldBack(g.Key, "hold", "participant-material", g.Count())).ToList(),
                new DeletionVerification(inventory.Items.Count + inventory.Participants.Count, present.Count + contactsLeft, present.Count + contactsLeft == 0 ? "passed" : "failed"),
                historiesPurged: 0,
                told),
            cancellationToken);
        return id;
    }

    /// <summary>
    /// A retention sweep's certificate: checks that nothing planned is still listable (what a hold placed during the sweep
    /// kept is held back, not a failure), then writes it once. Returns it with the number of blobs the inventory held.
    /// </summary>
    public async Task<(DeletionCertificate Certificate, int HeldBlobs)> IssueForSweepAsync(
        string studyId,
        string sweepId,
        DateTimeOffset startedAt,
        int historiesPurged,
        IReadOnlyList<(string SupplierId, string TaskId)>? suppliersTold,
        DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        var inventory = await certificates.ReadInventoryAsync(sweepId, cancellationToken) ?? throw new InvalidOperationException($"Sweep {sweepId} has no inventory.");
        var certificate = await certificates.FindAsync(sweepId, cancellationToken);
        if (certificate is null)
        {
            var found = await policies.GetAsync(studyId, cancellationToken);
            var present = await inventories.StillPresentAsync(inventory.Items, cancellationToken);
            var gone = inventory.Items.Except(present).ToList();

            // What a hold placed during the sweep kept is held back, not a failure; anything else still there is.
            var heldLate = await inventories.HeldNowAsync(studyId, present.Select(i => i.BlobKey).Distinct(StringComparer.Ordinal), cancellationToken);
            var remaining = present.Where(i => !heldLate.ContainsKey(i.BlobKey)).ToList();
            var heldBlobs = inventory.Held.Select(h => h.HoldIds).Concat(heldLate.Values);
            var heldBack = new List<HeldBack>();
            foreach (var group in heldBlobs.SelectMany(ids => ids).GroupBy(id => id, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var hold = await holds.FindAsync(group.Key, cancellationToken);
                heldBack.Add(new HeldBack(group.Key, hold?.Kind ?? "unknown", hold?.Scope ?? "unknown", group.Count()));
            }

            certificate = Assemble(
                sweepId,
                new DeletionAuthority("retention", studyId, RetentionRule.Describe(found.Policy), found.Study.PublishedOn, RetentionRule.DeletionDate(found.Study, found.Policy), null),
                inventory,
                startedAt,
                at,
                gone,
                heldBack,
                new DeletionVerification(inventory.Items.Count - present.Count + remaining.Count, remaining.Count, remaining.Count == 0 ? "passed" : "failed"),
                historiesPurged,
                await RecipientsAsync(suppliersTold, cancellationToken));
            await certificates.TryWriteAsync(certificate, cancellationToken);
        }

        return (certificate, inventory.Held.Count);
    }

    private async Task<IReadOnlyList<string>> RecipientsAsync(IReadOnlyList<(string SupplierId, string TaskId)>? told, CancellationToken cancellationToken)
    {
        // A sweep scheduled its certificate before suppliers were told (an older version) has none.
        var lines = new List<string>();
        foreach (var (supplierId, taskId) in told ?? [])
        {
            var task = await tasks.FindAsync(taskId, cancellationToken);
            lines.Add(DeletionCertificate.RecipientLine(supplierId, task?.CompletedAt));
        }

        return lines;
    }

    private DeletionCertificate Assemble(
        string id,
        DeletionAuthority authority,
        RetentionInventory inventory,
        DateTimeOffset startedAt,
        DateTimeOffset completedAt,
        IReadOnlyList<InventoryItem> items,
        IReadOnlyList<HeldBack> heldBack,
        DeletionVerification verification,
        int historiesPurged,
        IReadOnlyList<string> recipientsTold) =>
        new()
        {
            CertificateId = id,
            Authority = authority,
            StartedAt = startedAt,
            CompletedAt = completedAt,
            Method = DeletionCertificate.BlobDeletionMethod,
            Items = items,
            ContactDetailsErased = inventory.Participants,
            HeldBack = heldBack,
            ParticipantsHeld = inventory.HeldParticipants,
            Verification = verification,
            HistoriesPurged = historiesPurged,
            SoftDeleteRetentionDays = protection.Value.BlobSoftDeleteRetentionDays,
            RecipientsTold = recipientsTold,
            SoftwareVersion = DeletionCertificate.CurrentSoftwareVersion,
        };
}
