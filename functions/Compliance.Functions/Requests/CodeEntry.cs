using Compliance.Requests;
using Compliance.Studies;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// A code a requester entered for a reference, on the API or on the portal's page: checked against the request (an unknown
/// reference, or a request of an unknown study, is simply rejected), and on success the workflow is told. Every outcome but
/// success looks the same to the caller.
/// </summary>
public sealed class CodeEntry(RequestStore requests, StudyPolicies policies, RequestCodes codes, TimeProvider time, ILogger<CodeEntry> logger)
{
    /// <summary>Checks <paramref name="code"/> for <paramref name="requestId"/> and tells its workflow when it verified or confirmed.</summary>
    public async Task<CodeOutcome> EnterAsync(string requestId, string code, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var request = RequestId.IsWellFormed(requestId) ? await requests.FindAsync(requestId, cancellationToken) : null;
        var found = request is null ? null : await policies.FindAsync(request.StudyId, cancellationToken);
        var now = time.GetUtcNow();
        var result = found is { } f
            ? await codes.CheckAsync(request!, code, f.Policy.Verification.MaxAttempts, now, cancellationToken)
            : new CodeResult(CodeOutcome.Rejected, now);
        switch (result.Outcome)
        {
            case CodeOutcome.Verified:
                await durable.RaiseEventAsync(requestId, RequestEvents.IdentityVerified, new IdentityVerifiedEvent(result.At), cancellationToken);
                logger.LogInformation("Request {RequestId} verified", requestId);
                break;
            case CodeOutcome.AddressConfirmed:
                await durable.RaiseEventAsync(requestId, RequestEvents.AddressConfirmed, new AddressConfirmedEvent(result.At), cancellationToken);
                break;
            default:
                logger.LogInformation("A code for a request was refused");
                break;
        }

        return result.Outcome;
    }
}
