using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Mail;
using Compliance.Participants;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Suppliers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Participants;

/// <summary>
/// The activities that change a participant's data for a request: withdrawal (rule, deletion), erasure, rectification,
/// opt-out, and the Art. 19 notice to the transcription supplier. Each is idempotent: a retry deletes, changes or sends nothing twice.
/// </summary>
public sealed class ParticipantActivities(
    RequestStore requests,
    StudyStore studies,
    StudyPolicies policies,
    ParticipantDataEraser eraser,
    PendingContactChanges pendingChanges,
    SupplierStore suppliers,
    RequestDecisions decisions,
    Mailer mailer,
    AuditLog audit,
    Compliance.Retention.HoldStore holds,
    Compliance.Retention.RetentionInventoryBuilder inventories,
    Compliance.Retention.CertificateStore certificates,
    TaskStore tasks,
    Microsoft.Extensions.Options.IOptions<Compliance.Retention.StorageProtectionOptions> protection,
    ILogger<ParticipantActivities> logger)
{
    /// <summary>The id of a withdrawal's deletion certificate (and of the inventory taken before it deleted).</summary>
    public static string CertificateIdFor(string requestId) => "DC-" + requestId;

    /// <summary>Scope of a supplier notice after a withdrawal: the session's recordings and transcripts.</summary>
    public const string SessionMaterial = "session-material";

    /// <summary>Scope of a supplier notice after an erasure of contact details.</summary>
    public const string ContactDetails = "contact-details";

    /// <summary>
    /// Applies the notice's rule (clock start before the cut-off, analysis not started). When it fails, the request is refused
    /// here, by rule, with the research exemption and the reason in plain words.
    /// </summary>
    [Function(nameof(CheckWithdrawal))]
    public async Task<WithdrawalCheck> CheckWithdrawal([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (study, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var clockStart = UkTime.DateOf(request.ClockStartedAt ?? request.ReceivedAt);
        var decision = WithdrawalEligibility.Decide(policy, study, clockStart);
        var model = DataSubjectRequest.From(request);
        if (!decision.Eligible && model.Refuse(AuditActors.System, input.At, decision.Exemption, decision.Reason) is null)
        {
            await decisions.RefuseAsync(model, "withdrawal-ineligible", cancellationToken);
        }

        return new WithdrawalCheck(decision.Eligible);
    }

    /// <summary>Deletes the participant's research data, every version and snapshot; shared focus-group material stays for redaction.</summary>
    [Function(nameof(DeleteResearchData))]
    public async Task<ResearchDataDeletion> DeleteResearchData([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);

        // Their earlier access requests' packages hold an anonymised transcript of theirs: withdrawn too.
        var accessRequests = (await requests.ListAsync(null, request.StudyId, cancellationToken))
            .Where(r => r.Type == RequestType.Access && r.ParticipantId == request.ParticipantId)
            .Select(r => r.RequestId)
            .Order(StringComparer.Ordinal)
            .ToList();

        // What is there, taken once before anything goes, so the certificate lists everything even if this step runs twice.
        if (await certificates.ReadInventoryAsync(CertificateIdFor(request.RequestId), cancellationToken) is null)
        {
            await certificates.KeepInventoryAsync(await inventories.BuildForParticipantAsync(request.StudyId, request.ParticipantId!, accessRequests, CertificateIdFor(request.RequestId), input.At, cancellationToken), cancellationToken);
        }

        var result = await eraser.DeleteResearchDataAsync(request.StudyId, request.ParticipantId!, cancellationToken);
        var exports = await eraser.DeleteAccessExportsAsync(request.StudyId, request.ParticipantId!, accessRequests, cancellationToken);
        await requests.RecordStepAsync(request, "research-data-deleted", "research-data-deleted", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(
            RequestAuditEvents.Step(
                request,
                AuditActions.ResearchDataDeleted,
                "research-data-deleted",
                AuditActors.System,
                ("participantId", request.ParticipantId!),
                ("deleted", result.Deleted.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("accessExportItemsDeleted", exports.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("keptForRedaction", RequestAuditEvents.Ids(result.KeptForRedaction.Select(k => k.ArtifactId))),
                ("keptForHold", RequestAuditEvents.Ids(result.KeptForHold.Select(k => k.ArtifactId)))),
            cancellationToken);
        logger.LogInformation("Request {RequestId}: {Deleted} blobs and {Exports} access-export items deleted, {Kept} shared items kept for redaction", request.RequestId, result.Deleted.Count, exports.Count, result.KeptForRedaction.Count);
        return new ResearchDataDeletion(result.Deleted.Count, result.KeptForRedaction.Count);
    }

    /// <summary>
    /// The deletion certificate of a withdrawal or an erasure, once the supplier has confirmed (or was not told, or its time
    /// ran out): every item of the inventory taken before the deletion that is no longer listable, the contact details
    /// erased (checked to be gone) or held, what holds kept, the suppliers told and their confirmations.
    /// </summary>
    [Function(nameof(IssueRequestCertificate))]
    public async Task<string> IssueRequestCertificate([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var id = CertificateIdFor(request.RequestId);
        if (await certificates.FindAsync(id, cancellationToken) is null)
        {
            var inventory = await certificates.ReadInventoryAsync(id, cancellationToken) ?? throw new InvalidOperationException($"Request {request.RequestId} has no deletion inventory.");
            var present = await inventories.StillPresentAsync(inventory.Items, cancellationToken);

            // An erasure's: every participant planned to lose their contact details must have none left.
            var contactsLeft = 0;
            foreach (var participantId in inventory.Participants)
            {
                contactsLeft += await studies.FindParticipantAsync(request.StudyId, participantId, cancellationToken) is { } p && (p.Email is not null || p.Name is not null || p.Phone is not null) ? 1 : 0;
            }

            var confirmation = await tasks.FindAsync(TaskStore.IdFor(request.RequestId, TaskKind.SupplierConfirmation), cancellationToken);
            var told = (await SupplierSessionsAsync(request, request.Type == RequestType.Withdraw ? SessionMaterial : ContactDetails, cancellationToken))
                .Select(g => g.Key).Order(StringComparer.Ordinal)
                .Select(sid => Compliance.Retention.DeletionCertificate.RecipientLine(sid, confirmation?.CompletedAt))
                .ToList();
            await certificates.TryWriteAsync(
                new Compliance.Retention.DeletionCertificate
                {
                    CertificateId = id,
                    Authority = new Compliance.Retention.DeletionAuthority("request", request.StudyId, null, null, null, request.RequestId),
                    StartedAt = inventory.TakenAt,
                    CompletedAt = input.At,
                    Method = Compliance.Retention.DeletionCertificate.BlobDeletionMethod,
                    Items = inventory.Items.Except(present).ToList(),
                    ContactDetailsErased = inventory.Participants,
                    HeldBack = inventory.Held.SelectMany(h => h.HoldIds).GroupBy(h => h, StringComparer.Ordinal).Select(g => new Compliance.Retention.HeldBack(g.Key, "hold", "participant-material", g.Count())).ToList(),
                    ParticipantsHeld = inventory.HeldParticipants,
                    Verification = new Compliance.Retention.DeletionVerification(inventory.Items.Count + inventory.Participants.Count, present.Count + contactsLeft, present.Count + contactsLeft == 0 ? "passed" : "failed"),
                    HistoriesPurged = 0,
                    SoftDeleteRetentionDays = protection.Value.BlobSoftDeleteRetentionDays,
                    RecipientsTold = told,
                    SoftwareVersion = Compliance.Retention.DeletionCertificate.CurrentSoftwareVersion,
                },
                cancellationToken);
        }

        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.CertificateIssued, "certificate", AuditActors.System, ("certificateId", id)), cancellationToken);
        return id;
    }

    /// <summary>Erases the participant's contact details (the id stays, do-not-contact is set) and the address on this request.</summary>
    [Function(nameof(EraseContact))]
    public async Task EraseContact([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);

        // A legal or safeguarding hold on the participant keeps their contact details: nothing a hold covers is deleted.
        // They are not contacted again all the same.
        var covering = (await holds.ListActiveAsync(request.StudyId, cancellationToken)).Where(h => h.Covers(request.StudyId, null, [request.ParticipantId!])).Select(h => h.HoldId).ToList();

        // What the erasure's certificate will prove, planned once before anything changes: whose contact details go, or are held.
        IReadOnlyList<string> participant = [request.ParticipantId!];
        await certificates.KeepInventoryAsync(
            new Compliance.Retention.RetentionInventory(CertificateIdFor(request.RequestId), request.StudyId, input.At, [], [], covering.Count == 0 ? participant : [], covering.Count == 0 ? [] : participant, []),
            cancellationToken);
        if (covering.Count > 0)
        {
            await studies.SetDoNotContactAsync(request.StudyId, request.ParticipantId!, input.At, cancellationToken);
            await requests.RecordStepAsync(request, "contact-kept-for-hold", "contact-kept-for-hold", AuditActors.System, input.At, cancellationToken);
            await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ContactKeptForHold, "contact-kept-for-hold", AuditActors.System, ("participantId", request.ParticipantId!), ("holds", RequestAuditEvents.Ids(covering))), cancellationToken);
            logger.LogInformation("Request {RequestId}: contact details kept, {Count} holds cover the participant", request.RequestId, covering.Count);
            return;
        }

        await studies.EraseContactAsync(request.StudyId, request.ParticipantId!, input.At, cancellationToken);

        // Their address and name also sit on the rows of their requests: this one, and every one already closed. An open one
        // keeps what it needs to answer them, and is blanked when it completes (RequestActivities.CompleteRequest).
        foreach (var theirs in await requests.ListAsync(null, request.StudyId, cancellationToken))
        {
            if (theirs.ParticipantId == request.ParticipantId && (theirs.RequestId == request.RequestId || RequestStatus.Closed.Contains(theirs.Status)))
            {
                await requests.EraseRequesterAsync(theirs.RequestId, cancellationToken);
            }
        }

        await requests.RecordStepAsync(request, "contact-erased", "contact-erased", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ContactErased, "contact-erased", AuditActors.System, ("participantId", request.ParticipantId!)), cancellationToken);
    }

    /// <summary>Opt-out: the participant is not to be contacted again; research data untouched.</summary>
    [Function(nameof(SetDoNotContact))]
    public async Task SetDoNotContact([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        await studies.SetDoNotContactAsync(request.StudyId, request.ParticipantId!, input.At, cancellationToken);
        await requests.RecordStepAsync(request, "do-not-contact", "do-not-contact", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.DoNotContactSet, "do-not-contact", AuditActors.System, ("participantId", request.ParticipantId!)), cancellationToken);
    }

    /// <summary>When a rectification gives a new email address, sends a code to that address; it replaces the old one only once confirmed.</summary>
    [Function(nameof(RequestAddressConfirmation))]
    public async Task<AddressConfirmationPlan> RequestAddressConfirmation([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        if (request.RequestedChange?.Email is not { } newEmail)
        {
            return new AddressConfirmationPlan(false, policy.Verification.CodeValidFor);
        }

        if (!await mailer.IsWrittenAsync(request.RequestId, EmailKind.AddressConfirmation, cancellationToken))
        {
            var code = VerificationCodes.New();
            var validUntil = new DateTimeOffset(policy.Verification.CodeValidFor.AddTo(input.At.UtcDateTime), TimeSpan.Zero);
            await pendingChanges.SetPendingEmailAsync(request.RequestId, request.StudyId, request.ParticipantId!, newEmail, PendingContactChanges.HashCode(request.RequestId, code), validUntil, cancellationToken);
            var extra = new Dictionary<string, string>(StringComparer.Ordinal) { ["code"] = code, ["codeValidUntil"] = RequestEmails.FormatMoment(validUntil) };
            await mailer.SendToAsync(request, EmailKind.AddressConfirmation, EmailKind.AddressConfirmation, newEmail, request.RequestedChange.Name ?? request.RequesterName, extra, input.At, toParticipant: true, cancellationToken);
        }

        await requests.SaveAsync(DataSubjectRequest.From(request, r => r.AwaitAddressConfirmation()), "address-confirmation-sent", "address-confirmation-sent", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.AddressConfirmationSent, "address-confirmation-sent"), cancellationToken);
        return new AddressConfirmationPlan(true, policy.Verification.CodeValidFor);
    }

    /// <summary>
    /// Applies the rectification: name and phone as asked, the new address only if it was confirmed. False when there was
    /// nothing the workflow could apply by itself (no structured change, or only an address that was never confirmed).
    /// </summary>
    [Function(nameof(UpdateContact))]
    public async Task<bool> UpdateContact([ActivityTrigger] UpdateContactInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        if (request.RequestedChange is not { } change)
        {
            return false;
        }

        var applied = false;
        if (change.Email is not null)
        {
            if (input.EmailConfirmed)
            {
                await pendingChanges.ApplyPendingEmailAsync(request.RequestId, input.At, cancellationToken);
                applied = true;
            }
            else
            {
                await pendingChanges.DiscardPendingEmailAsync(request.RequestId, cancellationToken);
            }
        }

        if (change.Name is not null || change.Phone is not null)
        {
            await studies.UpdateContactAsync(request.StudyId, request.ParticipantId!, change.Name, change.Phone, email: null, input.At, cancellationToken);
            applied = true;
        }

        if (applied)
        {
            await requests.SaveAsync(DataSubjectRequest.From(request, r => r.ContinueWork()), "contact-updated", "contact-updated", AuditActors.System, input.At, cancellationToken);
            await audit.AppendAsync(
                RequestAuditEvents.Step(request, AuditActions.ContactUpdated, "contact-updated", AuditActors.System, ("fields", Fields(change, input.EmailConfirmed))),
                cancellationToken);
        }

        return applied;
    }

    /// <summary>
    /// Art. 19: tells each supplier that transcribed one of the participant's sessions which sessions' material to delete
    /// (session ids only). Notified when at least one supplier was involved, so the workflow waits for its confirmation, until
    /// the policy's <c>suppliers.confirmDeletionWithin</c> has passed.
    /// </summary>
    [Function(nameof(NotifySuppliers))]
    public async Task<SupplierNotice> NotifySuppliers([ActivityTrigger] SupplierNoticeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var sessions = await SupplierSessionsAsync(request, input.Scope, cancellationToken);
        foreach (var group in sessions)
        {
            var supplier = await suppliers.FindAsync(group.Key, cancellationToken);
            var sessionIds = string.Join(", ", group.Select(s => s.SessionId).Order(StringComparer.Ordinal));
            if (supplier?.Email is { } address)
            {
                var extra = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["sessionIds"] = sessionIds,
                    ["materials"] = input.Scope == SessionMaterial
                        ? "the recordings, transcripts and notes"
                        : "any contact details of the participant (such as a name, email address or phone number in your correspondence)",
                    ["studyId"] = request.StudyId,
                };
                await mailer.SendToAsync(request, EmailKind.SupplierDeletionNotice, $"supplier-notice-{group.Key}", address, supplier.Name, extra, input.At, toParticipant: false, cancellationToken);
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
                    ("scope", input.Scope),
                    ("sent", supplier?.Email is null ? "no-address-on-record" : "outbox")),
                cancellationToken);
        }

        if (sessions.Count > 0)
        {
            await requests.RecordStepAsync(request, "suppliers-notified", "suppliers-notified", AuditActors.System, input.At, cancellationToken);
        }

        if (sessions.Count == 0)
        {
            return new SupplierNotice(false);
        }

        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        return new SupplierNotice(true, policy.Suppliers.ConfirmBy(input.At));
    }

    /// <summary>
    /// The participant's sessions a supplier transcribed, by supplier, that a notice of <paramref name="scope"/> covers: what
    /// a hold keeps here is kept at the supplier too (a held session's material; a held participant's contact details).
    /// </summary>
    private async Task<List<IGrouping<string, Session>>> SupplierSessionsAsync(DataSubjectRequestRecord request, string scope, CancellationToken cancellationToken)
    {
        var participant = request.ParticipantId!;
        var active = await holds.ListActiveAsync(request.StudyId, cancellationToken);
        return (await studies.ListSessionsAsync(request.StudyId, cancellationToken))
            .Where(s => s.SupplierId is not null && s.ParticipantIds.Contains(participant, StringComparer.Ordinal))
            .Where(s => !active.Any(h => h.Covers(request.StudyId, scope == SessionMaterial ? s.SessionId : null, [participant])))
            .GroupBy(s => s.SupplierId!, StringComparer.Ordinal)
            .ToList();
    }

    private static string Fields(ContactCorrection change, bool emailConfirmed) =>
        RequestAuditEvents.Ids(new[] { change.Name is null ? null : "name", change.Phone is null ? null : "phone", change.Email is not null && emailConfirmed ? "email" : null }.OfType<string>());

}
