using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Mail;

/// <summary>
/// A request's correspondence for staff: <c>GET /api/requests/{id}/emails</c> (the emails, their state and safe bodies; they
/// carry addresses, so only roles that may see contact details) and <c>POST /api/requests/{id}/emails/{key}/resend</c>
/// (the DPO puts a failed email back in the queue, so nothing misses its deadline silently).
/// </summary>
public sealed class RequestEmailsHttp(RequestStore requests, RequestCorrespondence correspondence, OutboxSender sender, AuditLog audit)
{
    internal static readonly string[] DpoOnly = [Role.Dpo];

    [Function(nameof(GetRequestEmails))]
    public async Task<IActionResult> GetRequestEmails(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/requests/{id}/emails")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (_, request, problem) = await StaffRoute.FindAsync(req, Role.ContactReaders, RequestId.IsWellFormed(id), () => requests.FindAsync(id, cancellationToken), "There is no request with that id.");
        return problem ?? new OkObjectResult(new RequestCorrespondenceView(request!.RequestId, await correspondence.ForRequestAsync(request.RequestId, cancellationToken)));
    }

    /// <summary>Resends a <c>failed</c> email: <c>202</c>; <c>409</c> for an email that has not failed; <c>404</c> for none.</summary>
    [Function(nameof(ResendRequestEmail))]
    public async Task<IActionResult> ResendRequestEmail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/requests/{id}/emails/{key}/resend")] HttpRequest req,
        string id,
        string key,
        CancellationToken cancellationToken)
    {
        var (principal, request, problem) = await StaffRoute.FindAsync(req, DpoOnly, RequestId.IsWellFormed(id) && Outbox.IsMessageKey(key), () => requests.FindAsync(id, cancellationToken), "There is no request with that id.");
        if (problem is not null)
        {
            return problem;
        }

        var email = (await correspondence.ForRequestAsync(request!.RequestId, cancellationToken)).FirstOrDefault(e => e.MessageKey == key);
        if (email is null)
        {
            return ApiProblem.NotFound("The request has no email with that key.");
        }

        if (!await sender.ResendAsync(Outbox.BlobNameFor(request.RequestId, key), cancellationToken))
        {
            return ApiProblem.Create(StatusCodes.Status409Conflict, "not-failed", "Only an email whose sending failed can be resent.", $"This email is {email.State}.");
        }

        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.MailResendRequested, $"resend-{key}-{Guid.NewGuid():N}", principal!.Id, ("messageKey", key)), cancellationToken);
        return new AcceptedResult((string?)null, email with { State = EmailStates.Pending, Attempts = 0, FailedAt = null, LastError = null });
    }
}
