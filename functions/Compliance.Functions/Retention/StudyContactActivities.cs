using Compliance.Participants;
using Compliance.Retention;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Retention;

/// <summary>A sweep's erasure of contact details: the study's participants' and its closed requests' requesters'. Safe to run again.</summary>
public sealed class StudyContactActivities(
    StudyStore studies,
    CertificateStore certificates,
    RequesterDetailsEraser requesterDetails,
    ILogger<StudyContactActivities> logger)
{
    /// <summary>Erases the contact details of the study's participants that no hold keeps; their pseudonymous ids stay.</summary>
    [Function(nameof(EraseStudyContacts))]
    public async Task EraseStudyContacts([ActivityTrigger] SweepStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inventory = await certificates.ReadInventoryAsync(input.SweepId, cancellationToken) ?? throw new InvalidOperationException($"Sweep {input.SweepId} has no inventory.");
        foreach (var participantId in inventory.Participants)
        {
            await studies.EraseContactAsync(input.StudyId, participantId, input.At, cancellationToken);
        }

        // The requesters' addresses, names and words on the study's closed requests go too, unless a hold covers them now.
        var erased = await requesterDetails.EraseClosedInStudyAsync(input.StudyId, cancellationToken);
        logger.LogInformation("Retention sweep {SweepId}: contact details of {Participants} participants and requester details of {Requests} requests erased", input.SweepId, inventory.Participants.Count, erased);
    }
}
