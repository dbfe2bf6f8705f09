using Compliance.Audit;
using Compliance.Mail;
using Compliance.Studies;
using Compliance.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// Closes a request that repeats an open one of the same type from the same participant (found by <c>PrepareRequest</c>):
/// the requester is told their open request goes on, the link is audited, and the request is closed as <c>duplicate</c>.
/// Its effects come first and the state last, each keyed by the step, so a retry does the same again and writes nothing twice.
/// </summary>
public sealed class RequestDuplicateActivities(
    RequestStore requests,
    StudyPolicies policies,
    Mailer mailer,
    RequestEmails emails,
    AuditLog audit,
    ILogger<RequestDuplicateActivities> logger)
{
    private const string Step = "linked";

    [Function(nameof(LinkDuplicate))]
    public async Task LinkDuplicate([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.LoadAsync(input.RequestId, cancellationToken);
        var record = request.State;
        var firstRequestId = record.DuplicateOf
            ?? throw new InvalidOperationException($"Request {record.RequestId} repeats no open request.");
        var (_, policy) = await policies.GetAsync(record.StudyId, cancellationToken);
        await mailer.WriteForRequestAsync(record.RequestId, EmailKind.Duplicate, EmailKind.Duplicate, emails.Duplicate(record, policy, firstRequestId, input.At), cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(record, AuditActions.RequestDuplicate, "duplicate", AuditActors.System, ("duplicateOf", firstRequestId)), cancellationToken);
        request.LinkAsDuplicate();
        await requests.SaveAsync(request, Step, Step, AuditActors.System, input.At, cancellationToken);
        logger.LogInformation("Request {RequestId} linked as a duplicate of {FirstRequestId}", record.RequestId, firstRequestId);
    }
}
