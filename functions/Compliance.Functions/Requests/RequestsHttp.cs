using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Requests;

/// <summary>The HTTP routes of data-subject requests.</summary>
public sealed class RequestsHttp(
    RequestStore requests,
    RequestLists lists,
    RequestViews views,
    RequestIntake intake,
    StudyPolicies policies,
    CodeEntry codeEntry,
    TimeProvider time,
    IOptions<HttpOptions> httpOptions,
    IOptions<SiteOptions> site,
    ClientRateLimits rateLimits)
{
    /// <summary>The participant's id in history entries for requests they made themselves.</summary>
    public const string ParticipantActor = "participant";

    /// <summary>
    /// <c>POST /api/requests</c>: records a request and starts its workflow. The answer is the same whoever the email belongs to.
    /// </summary>
    [Function(nameof(SubmitRequest))]
    public async Task<IActionResult> SubmitRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/requests")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        ArgumentNullException.ThrowIfNull(durable);
        var now = time.GetUtcNow();
        var (body, problem) = await JsonBody.ReadAsync(req, SubmitRequestBody.Schema(now), httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var enteredBy = ParticipantActor;
        if (body!.HasStaffFields)
        {
            // receivedAt, channel and identityConfirmed change the statutory clock and verification: staff only.
            var auth = StaffAuthorization.Require(req, Role.RequestHandlers);
            if (auth.Denied is not null)
            {
                return auth.Denied;
            }

            enteredBy = auth.Principal!.Id;
        }
        else if (await rateLimits.CheckSubmissionAsync(req, body.Email, cancellationToken) is { Allowed: false } limited)
        {
            return ApiProblem.RateLimited(limited.RetryAfterSeconds);
        }

        return await SubmitAsync(req, body.ToNewRequest(enteredBy, now), now, durable, cancellationToken);
    }

    /// <summary>Records the request of a study this service handles and starts its workflow.</summary>
    private async Task<IActionResult> SubmitAsync(HttpRequest req, NewRequest request, DateTimeOffset now, DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (await policies.FindAsync(request.StudyId, cancellationToken) is not { } study)
        {
            return ApiProblem.Invalid("studyId", "is not a study this service handles.");
        }

        DataSubjectRequestRecord record;
        try
        {
            record = await intake.SubmitAsync(request, now, durable, cancellationToken);
        }
        catch (RequestNotStartedException ex)
        {
            return ApiProblem.Unavailable(ex.Message);
        }

        var statusUrl = site.Value.LinkTo($"/api/requests/{record.RequestId}");
        return new AcceptedResult(statusUrl, new SubmitRequestResponse(record.RequestId, RequestStatus.Received, statusUrl));
    }

    /// <summary><c>GET /api/requests/{id}</c>: the stored request, its status and its history, for staff who handle requests.</summary>
    [Function(nameof(GetRequest))]
    public async Task<IActionResult> GetRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/requests/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (_, request, problem) = await StaffRoute.FindAsync(req, Role.RequestHandlers, RequestId.IsWellFormed(id), () => requests.FindAsync(id, cancellationToken), "There is no request with that id.");
        if (problem is not null)
        {
            return problem;
        }

        var history = await requests.GetHistoryAsync(id, cancellationToken);
        return new OkObjectResult(views.From(request!, history));
    }

    /// <summary>
    /// <c>GET /api/requests?status=&amp;studyId=&amp;type=&amp;channel=&amp;open=&amp;order=&amp;limit=&amp;continuation=</c>: one page of
    /// requests (newest first, or soonest due first with <c>order=due</c>), for staff who handle them. No contact details.
    /// </summary>
    [Function(nameof(ListRequests))]
    public async Task<IActionResult> ListRequests(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/requests")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, Role.RequestHandlers);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var (query, problem) = RequestListQuery.Read(req.Query);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            return new OkObjectResult(await lists.PageAsync(query!, cancellationToken));
        }
        catch (FormatException ex)
        {
            return ApiProblem.Invalid("continuation", ex.Message);
        }
    }

    /// <summary>
    /// <c>POST /api/requests/{id}/verify</c>: the requester proves their identity with the code sent to the address held for
    /// them. A wrong, expired or locked code and an unknown request all get the same answer, so nothing can be learnt by guessing.
    /// </summary>
    [Function(nameof(VerifyRequest))]
    public async Task<IActionResult> VerifyRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/requests/{id}/verify")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var (body, problem) = await JsonBody.ReadAsync(req, VerifyRequestBody.Schema, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (await rateLimits.CheckCodeAttemptAsync(req, cancellationToken) is { Allowed: false } limited)
        {
            return ApiProblem.RateLimited(limited.RetryAfterSeconds);
        }

        return await codeEntry.EnterAsync(id, body!.Code, durable, cancellationToken) switch
        {
            CodeOutcome.Verified => new OkObjectResult(new { requestId = id, status = "verified" }),
            CodeOutcome.AddressConfirmed => new OkObjectResult(new { requestId = id, status = "confirmed" }),
            _ => InvalidCode(),
        };
    }

    private static ObjectResult InvalidCode() => ApiProblem.BadRequest(
        "invalid-code",
        "The code is not valid.",
        "Check the code in our email and the request reference. Codes expire, and after several wrong attempts a code stops working: reply to our email and we will help.");

}
