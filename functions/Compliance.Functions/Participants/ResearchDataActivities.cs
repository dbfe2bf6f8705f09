using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Participants;
using Compliance.Requests;
using Compliance.Retention;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Participants;

/// <summary>A withdrawal's deletion of the participant's research data. Idempotent: the inventory is taken once, what is gone counts as deleted.</summary>
public sealed class ResearchDataActivities(
    RequestStore requests,
    ParticipantDataEraser eraser,
    RetentionInventoryBuilder inventories,
    CertificateStore certificates,
    AuditLog audit,
    ILogger<ResearchDataActivities> logger)
{
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
        if (await certificates.ReadInventoryAsync(CertificateIssuer.IdForRequest(request.RequestId), cancellationToken) is null)
        {
            await certificates.KeepInventoryAsync(await inventories.BuildForParticipantAsync(request.StudyId, request.ParticipantId!, accessRequests, CertificateIssuer.IdForRequest(request.RequestId), input.At, cancellationToken), cancellationToken);
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
}
