using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Participants;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Participants;

/// <summary>An erasure of contact details, and an opt-out. Each is idempotent: a retry changes nothing twice.</summary>
public sealed class ContactActivities(
    RequestStore requests,
    StudyStore studies,
    ContactEraser contacts,
    AuditLog audit,
    ILogger<ContactActivities> logger)
{
    /// <summary>Erases the participant's contact details (the id stays, do-not-contact is set) and the address on this request.</summary>
    [Function(nameof(EraseContact))]
    public async Task EraseContact([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var covering = await contacts.EraseAsync(request, input.At, cancellationToken);
        if (covering.Count > 0)
        {
            logger.LogInformation("Request {RequestId}: contact details kept, {Count} holds cover the participant", request.RequestId, covering.Count);
        }
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
}
