using Compliance.Audit;
using Compliance.Mail;
using Compliance.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>The activities of the <c>DataSubjectRequest</c> orchestration. Each is idempotent: a retry after a crash repeats nothing visible.</summary>
public sealed class RequestActivities(RequestStore requests, AuditLog audit, Outbox outbox, RequestEmails emails, ILogger<RequestActivities> logger)
{
    /// <summary>Writes the acknowledgement to the outbox (once), records the request as acknowledged and audits it (once).</summary>
    [Function(nameof(AcknowledgeRequest))]
    public async Task<AcknowledgeRequestResult> AcknowledgeRequest([ActivityTrigger] AcknowledgeRequestInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.FindAsync(input.RequestId, cancellationToken)
            ?? throw new InvalidOperationException($"Request {input.RequestId} is not recorded.");

        var blobName = Outbox.BlobNameFor(request.RequestId, RequestEmails.AcknowledgementKey);
        var written = await outbox.TryWriteAsync(
            blobName,
            emails.Acknowledgement(request, input.At),
            new Dictionary<string, string>
            {
                ["requestId"] = request.RequestId,
                ["kind"] = RequestEmails.AcknowledgementKey,
                ["state"] = "pending",
            },
            cancellationToken);

        await requests.RecordStepAsync(request.RequestId, "acknowledged", new RequestHistoryEntry(input.At, "acknowledged", RequestStatus.Acknowledged, "system"), cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Acknowledged(request, RequestEmails.AcknowledgementKey), cancellationToken);
        logger.LogInformation("Acknowledgement of request {RequestId} is in the outbox (written now: {Written})", request.RequestId, written);
        return new AcknowledgeRequestResult(blobName, written);
    }
}
