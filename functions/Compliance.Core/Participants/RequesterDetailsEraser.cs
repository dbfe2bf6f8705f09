using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;

namespace Compliance.Participants;

/// <summary>
/// The one place a requester's details (address, name, words) are erased from request rows: when a request completes after
/// its participant's contact details went, when a participant's contact details are erased, and when a sweep ends a study.
/// An open request keeps what it needs to answer its requester until it is answered.
/// </summary>
public sealed class RequesterDetailsEraser(RequestStore requests, StudyStore studies, HoldStore holds)
{
    /// <summary>A participant whose contact details were erased while this request was open: its copy of them goes now it is done.</summary>
    public async Task EraseIfContactErasedAsync(DataSubjectRequestRecord request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ParticipantId is { } participantId && await studies.FindParticipantAsync(request.StudyId, participantId, cancellationToken) is { ErasedAt: not null })
        {
            await requests.EraseRequesterAsync(request.RequestId, cancellationToken);
        }
    }

    /// <summary>
    /// After a participant's contact details were erased: their address and name also sit on the rows of their requests,
    /// this one and every one already closed. An open one is blanked when it completes (<see cref="EraseIfContactErasedAsync"/>).
    /// </summary>
    public async Task EraseForParticipantAsync(DataSubjectRequestRecord request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var theirs in await requests.ListAsync(null, request.StudyId, cancellationToken))
        {
            if (theirs.ParticipantId == request.ParticipantId && (theirs.RequestId == request.RequestId || RequestStatus.Closed.Contains(theirs.Status)))
            {
                await requests.EraseRequesterAsync(theirs.RequestId, cancellationToken);
            }
        }
    }

    /// <summary>
    /// A sweep's: the requesters' details on the study's closed requests go (a stranger's included); what a hold covers now
    /// (a held participant's, or everything under a hold on the whole study) stays. Returns how many requests were erased.
    /// </summary>
    public async Task<int> EraseClosedInStudyAsync(string studyId, CancellationToken cancellationToken)
    {
        var active = await holds.ListActiveAsync(studyId, cancellationToken);
        var erased = 0;
        foreach (var request in await requests.ListAsync(null, studyId, cancellationToken))
        {
            if (RequestStatus.Closed.Contains(request.Status) && !active.Any(h => h.Covers(studyId, null, request.ParticipantId is { } p ? [p] : [])))
            {
                await requests.EraseRequesterAsync(request.RequestId, cancellationToken);
                erased++;
            }
        }

        return erased;
    }
}
