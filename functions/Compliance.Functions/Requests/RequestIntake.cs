using Compliance.Audit;
using Compliance.Mail;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// A request to record, as the web form, staff or email intake hand it in. <c>RequestId</c> is a fixed id (email intake
/// derives one per message and intent, so a retry names the same request), or null for a new random id.
/// </summary>
public sealed record NewRequest(
    string StudyId,
    string Type,
    string Email,
    string? Name,
    string? Details,
    string Channel,
    DateTimeOffset ReceivedAt,
    bool IdentityConfirmed,
    string EnteredBy,
    ContactCorrection? Changes = null,
    string? ParticipantRef = null,
    string? RequestId = null);

/// <summary>What became of a request handed in: recorded (and its workflow started), or linked as a duplicate of an open one.</summary>
public sealed record RequestIntakeResult(DataSubjectRequestRecord Record, string? DuplicateOf);

/// <summary>
/// Records a request and starts its workflow, whichever way it came in: the participant is found by the address held for
/// them, a second open request of the same type from the same participant is linked to the first and starts nothing, and
/// the receipt is audited before the workflow starts. With a fixed <see cref="NewRequest.RequestId"/> every step is safe to
/// run again: an existing request is picked up where it was left.
/// </summary>
public sealed class RequestIntake(
    RequestStore requests,
    StudyStore studies,
    AuditLog audit,
    Mailer mailer,
    RequestEmails emails,
    ILogger<RequestIntake> logger)
{
    /// <summary>Records <paramref name="request"/>, audits its receipt, and starts its workflow or links it as a duplicate.</summary>
    /// <exception cref="RequestNotStartedException">The receipt could not be audited or the workflow not started; with a random id, nothing was kept.</exception>
    public async Task<RequestIntakeResult> SubmitAsync(NewRequest request, StudyPolicy policy, DateTimeOffset now, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(durable);
        var record = request.RequestId is { } fixedId ? await requests.FindAsync(fixedId, cancellationToken) : null;
        if (record is null)
        {
            var participant = await studies.FindParticipantByEmailAsync(request.StudyId, request.Email, cancellationToken);
            var first = participant is null ? null : await requests.FindOpenAsync(request.StudyId, participant.ParticipantId, request.Type, cancellationToken);
            record = await RecordAsync(request, now, participant?.ParticipantId, first?.RequestId, cancellationToken);
        }

        var keepOnFailure = request.RequestId is not null;
        try
        {
            // Audited before the workflow starts, so request.received always precedes what the workflow records.
            await audit.AppendAsync(RequestAuditEvents.Received(record), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !keepOnFailure)
        {
            logger.LogError(ex, "The receipt of request {RequestId} could not be written to the audit log", record.RequestId);
            await requests.DeleteAsync(record.RequestId, CancellationToken.None);
            throw new RequestNotStartedException("The request could not be recorded; nothing was kept. Please send it again.", ex);
        }

        if (record.DuplicateOf is { } duplicateOf)
        {
            await LinkDuplicateAsync(record, duplicateOf, policy, now, cancellationToken);
            return new RequestIntakeResult(record, duplicateOf);
        }

        try
        {
            // A request picked up again by its fixed id is started only if its workflow never ran: one that has moved on (or
            // finished, and had its history purged) must not run twice.
            if (!keepOnFailure || (record.Status == RequestStatus.Received && await durable.GetInstanceAsync(record.RequestId, getInputsAndOutputs: false, cancellationToken) is null))
            {
                await durable.ScheduleNewOrchestrationInstanceAsync(
                    nameof(DataSubjectRequestOrchestration.DataSubjectRequest),
                    new RequestWorkflowInput(record.RequestId),
                    new StartOrchestrationOptions(record.RequestId),
                    cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !keepOnFailure)
        {
            logger.LogError(ex, "The workflow of request {RequestId} could not be started", record.RequestId);
            await requests.DeleteAsync(record.RequestId, CancellationToken.None);
            await AuditDiscardedAsync(record);
            throw new RequestNotStartedException("The request could not be started; nothing was kept. Please send it again.", ex);
        }

        logger.LogInformation("Request {RequestId} of type {RequestType} received for study {StudyId} by {Channel}", record.RequestId, record.Type, record.StudyId, record.Channel);
        return new RequestIntakeResult(record, null);
    }

    /// <summary>The receipt is already in the append-only log; say what became of the request rather than leave it dangling.</summary>
    private async Task AuditDiscardedAsync(DataSubjectRequestRecord record)
    {
        try
        {
            await audit.AppendAsync(RequestAuditEvents.Discarded(record, "workflow-not-started"), CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The discarding of request {RequestId} could not be written to the audit log", record.RequestId);
        }
    }

    /// <summary>Tells the requester their open request goes on, records the link and audits it. Every write is create-only or keyed by step.</summary>
    private async Task LinkDuplicateAsync(DataSubjectRequestRecord duplicate, string firstRequestId, StudyPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await mailer.WriteForRequestAsync(duplicate.RequestId, EmailKind.Duplicate, EmailKind.Duplicate, emails.Duplicate(duplicate, policy, firstRequestId, now), cancellationToken);
        await requests.RecordStepAsync(duplicate, "linked", "linked", AuditActors.System, now, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(duplicate, AuditActions.RequestDuplicate, "duplicate", AuditActors.System, ("duplicateOf", firstRequestId)), cancellationToken);
        logger.LogInformation("Request {RequestId} linked as a duplicate of {FirstRequestId}", duplicate.RequestId, firstRequestId);
    }

    private async Task<DataSubjectRequestRecord> RecordAsync(NewRequest request, DateTimeOffset now, string? participantId, string? duplicateOf, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var record = new DataSubjectRequestRecord
            {
                RequestId = request.RequestId ?? RequestId.New(now),
                StudyId = request.StudyId,
                Type = request.Type,
                Channel = request.Channel,
                ReceivedAt = request.ReceivedAt,
                Status = duplicateOf is null ? RequestStatus.Received : RequestStatus.Duplicate,
                ParticipantId = participantId,
                DuplicateOf = duplicateOf,
                RequesterEmail = request.Email,
                RequesterName = request.Name,
                ParticipantRef = request.ParticipantRef,
                Details = request.Details,
                IdentityConfirmed = request.IdentityConfirmed,
                EnteredBy = request.EnteredBy,
                RequestedChange = request.Changes,
            };

            if (await requests.TryCreateAsync(record, cancellationToken))
            {
                return record;
            }

            // A fixed id that exists was recorded by an earlier run of the same step: carry on with it.
            if (request.RequestId is not null)
            {
                return await requests.GetAsync(request.RequestId, cancellationToken);
            }

            // Ids carry 40 random bits; a clash is vanishingly rare, and a new id is all it needs.
            if (attempt == 5)
            {
                throw new InvalidOperationException("Could not allocate a request id.");
            }
        }
    }
}

/// <summary>A request that could not be recorded or started; the message is for the requester.</summary>
public sealed class RequestNotStartedException(string message, Exception inner) : Exception(message, inner);
