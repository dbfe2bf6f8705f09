using Compliance.Audit;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;

namespace Compliance.Participants;

/// <summary>
/// An erasure request's work: erases the participant's contact details (the id stays, do-not-contact is set) and their
/// requester details, unless a legal or safeguarding hold keeps them; plans what the erasure's certificate will prove first.
/// </summary>
public sealed class ContactEraser(RequestStore requests, StudyStore studies, HoldStore holds, CertificateStore certificates, RequesterDetailsEraser requesterDetails, AuditLog audit)
{
    /// <summary>Erases, or keeps for a hold; returns the ids of the holds that kept the contact details (none when erased).</summary>
    public async Task<IReadOnlyList<string>> EraseAsync(DataSubjectRequestRecord request, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // A legal or safeguarding hold on the participant keeps their contact details: nothing a hold covers is deleted.
        // They are not contacted again all the same.
        var covering = (await holds.ListActiveAsync(request.StudyId, cancellationToken)).Where(h => h.Covers(request.StudyId, null, [request.ParticipantId!])).Select(h => h.HoldId).ToList();

        // What the erasure's certificate will prove, planned once before anything changes: whose contact details go, or are held.
        IReadOnlyList<string> participant = [request.ParticipantId!];
        await certificates.KeepInventoryAsync(
            new RetentionInventory(CertificateIssuer.IdForRequest(request.RequestId), request.StudyId, at, [], [], covering.Count == 0 ? participant : [], covering.Count == 0 ? [] : participant, []),
            cancellationToken);
        if (covering.Count > 0)
        {
            await studies.SetDoNotContactAsync(request.StudyId, request.ParticipantId!, at, cancellationToken);
            await requests.RecordStepAsync(request, "contact-kept-for-hold", "contact-kept-for-hold", AuditActors.System, at, cancellationToken);
            await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ContactKeptForHold, "contact-kept-for-hold", AuditActors.System, ("participantId", request.ParticipantId!), ("holds", RequestAuditEvents.Ids(covering))), cancellationToken);
            return covering;
        }

        await studies.EraseContactAsync(request.StudyId, request.ParticipantId!, at, cancellationToken);
        await requesterDetails.EraseForParticipantAsync(request, cancellationToken);
        await requests.RecordStepAsync(request, "contact-erased", "contact-erased", AuditActors.System, at, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ContactErased, "contact-erased", AuditActors.System, ("participantId", request.ParticipantId!)), cancellationToken);
        return covering;
    }
}
