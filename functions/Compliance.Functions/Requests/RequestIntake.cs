using System.Diagnostics;
using Compliance.Audit;
using Compliance.Requests;
using Compliance.Telemetry;
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

/// <summary>
/// Records a request and starts its workflow, whichever way it came in, and audits the receipt before the workflow starts.
/// Nothing here depends on who the requester is: matching the address to a participant and linking a repeat of an open
/// request happen in the workflow (<c>PrepareRequest</c>, <c>LinkDuplicate</c>), behind the acknowledgement, so the answer
/// takes the same time and says the same whether or not the address is held. With a fixed <see cref="NewRequest.RequestId"/>
/// every step is safe to run again: an existing request is picked up where it was left.
/// </summary>
public sealed class RequestIntake(RequestStore requests, AuditLog audit, ILogger<RequestIntake> logger)
{
    /// <summary>Records <paramref name="request"/>, audits its receipt, and starts its workflow.</summary>
    /// <exception cref="RequestNotStartedException">The receipt could not be audited or the workflow not started; with a random id, nothing was kept.</exception>
    public async Task<DataSubjectRequestRecord> SubmitAsync(NewRequest request, DateTimeOffset now, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(durable);
        var record = (request.RequestId is { } fixedId ? await requests.FindAsync(fixedId, cancellationToken) : null)
            ?? await RecordAsync(request, now, cancellationToken);

        var keepOnFailure = request.RequestId is not null;

        // The span this runs in (the HTTP call, or the email's intake step) names the request it made; its workflow's spans follow.
        TelemetryTags.TagRequest(Activity.Current, record.RequestId, record.StudyId);
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
        return record;
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

    private async Task<DataSubjectRequestRecord> RecordAsync(NewRequest request, DateTimeOffset now, CancellationToken cancellationToken)
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
                Status = RequestStatus.Received,
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
