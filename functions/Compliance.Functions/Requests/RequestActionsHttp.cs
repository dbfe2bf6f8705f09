using Compliance.Audit;
using Compliance.Deadlines;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Requests;

/// <summary>
/// <c>POST /api/requests/{id}/{action}</c>: the DPO's actions on a request. The route checks the action fits the request as
/// it stands and answers at once; the workflow carries it out (and checks again, for actions that raced each other).
/// </summary>
public sealed class RequestActionsHttp(
    RequestStore requests,
    DeadlineCalculator deadlines,
    AuditLog audit,
    TimeProvider time,
    IOptions<HttpOptions> httpOptions,
    ILogger<RequestActionsHttp> logger)
{
    private const int MaxTextLength = 4000;
    private static readonly string[] DpoOnly = [Role.Dpo];

    /// <summary>Records the action, audits it and hands it to the request's workflow; <c>note</c> is recorded here and goes no further.</summary>
    [Function(nameof(ActOnRequest))]
    public async Task<IActionResult> ActOnRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "requests/{id}/{action}")] HttpRequest req,
        string id,
        string action,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        if (!RequestAction.IsValid(action))
        {
            return ApiProblem.NotFound($"There is no action '{action}'. Actions: {string.Join(", ", RequestAction.All)}.");
        }

        var request = RequestId.IsWellFormed(id) ? await requests.FindAsync(id, cancellationToken) : null;
        if (request is null)
        {
            return ApiProblem.NotFound("There is no request with that id.");
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var record = new RequestActionRecord
        {
            RequestId = request.RequestId,
            ActionId = $"A{now:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..28],
            Action = action,
            Actor = auth.Principal!.Id,
            At = now,
        };
        using (document)
        {
            var fields = new JsonFields(document!.RootElement, FieldsOf(action));
            record = action switch
            {
                RequestAction.Refuse => record with
                {
                    Reason = fields.Text("reason", required: true, MaxTextLength),
                    Exemption = fields.Text("exemption", required: true, 64, RefusalExemption.IsKnown, $"must be one of: {string.Join(", ", RefusalExemption.All)}."),
                },
                RequestAction.Extend => record with { Reason = fields.Text("reason", required: true, MaxTextLength) },
                RequestAction.Clarify => record with { Text = fields.Text("question", required: true, MaxTextLength) },
                RequestAction.Note => record with { Text = fields.Text("text", required: true, MaxTextLength) },
                _ => record,
            };
            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }
        }

        if (WhyNot(request, action, now) is { } conflict)
        {
            return ApiProblem.Create(StatusCodes.Status409Conflict, "action-not-possible", $"The request cannot be {Past(action)} now.", conflict);
        }

        await requests.TryAddActionAsync(record, cancellationToken);
        if (action == RequestAction.Note)
        {
            await requests.RecordStepAsync(request.RequestId, $"note-{record.ActionId}", new RequestHistoryEntry(now, "note", request.Status, record.Actor), cancellationToken: cancellationToken);
            await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.NoteAdded, $"note-{record.ActionId}", record.Actor, ("actionId", record.ActionId)), cancellationToken);
            return new AcceptedResult((string?)null, new RequestActionResponse(request.RequestId, action, record.ActionId, "recorded"));
        }

        var details = new List<(string, string)> { ("action", action), ("actionId", record.ActionId) };
        if (record.Exemption is not null)
        {
            details.Add(("exemption", record.Exemption));
        }

        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ActionRequested, $"action-{record.ActionId}", record.Actor, [.. details]), cancellationToken);
        await durable.RaiseEventAsync(request.RequestId, RequestEvents.Action, new RequestActionEvent(record.ActionId, action, now), cancellationToken);
        logger.LogInformation("Request {RequestId}: {Action} by the DPO handed to its workflow", request.RequestId, action);
        return new AcceptedResult((string?)null, new RequestActionResponse(request.RequestId, action, record.ActionId, "accepted"));
    }

    /// <summary>Why <paramref name="action"/> does not fit the request as it stands, in words for the DPO; null when it does.</summary>
    private string? WhyNot(DataSubjectRequestRecord request, string action, DateTimeOffset now)
    {
        if (action == RequestAction.Note)
        {
            return null;
        }

        if (!RequestStatus.IsOpen(request.Status))
        {
            return $"It is closed ({request.Status}).";
        }

        if (action == RequestAction.ReissueCode)
        {
            return request.Status == RequestStatus.AwaitingVerification ? null : "A code can be reissued only while the request waits for one.";
        }

        if (action is RequestAction.Approve or RequestAction.Refuse && request.Decision is { } decision)
        {
            return $"It was {decision.Decision} on {decision.DecidedAt:yyyy-MM-dd} by {decision.Reviewer}.";
        }

        if (action == RequestAction.Refuse)
        {
            return null;
        }

        if (request.ClockStartedAt is not { } clockStartedAt)
        {
            return "Its clock has not started: the requester's identity is not yet confirmed.";
        }

        var clockStart = UkTime.DateOf(clockStartedAt);
        var today = UkTime.DateOf(now);
        return action switch
        {
            RequestAction.Clarify when request.IsPaused => "Its clock is already paused for clarification.",
            RequestAction.Resume when !request.IsPaused => "Its clock is not paused.",
            RequestAction.Extend when request.ExtendedTo is { } to => $"It was already extended, to {to:yyyy-MM-dd}.",
            RequestAction.Extend when today >= clockStart && !deadlines.IsWithinFirstMonth(clockStart, today, request.Pauses) =>
                $"An extension must be decided, and the requester told, within the first month; that ended on {deadlines.FirstMonthEnd(clockStart, request.Pauses):yyyy-MM-dd}.",
            _ => null,
        };
    }

    private static string[] FieldsOf(string action) => action switch
    {
        RequestAction.Refuse => ["reason", "exemption"],
        RequestAction.Extend => ["reason"],
        RequestAction.Clarify => ["question"],
        RequestAction.Note => ["text"],
        _ => [],
    };

    private static string Past(string action) => action switch
    {
        RequestAction.Approve => "approved",
        RequestAction.Refuse => "refused",
        RequestAction.Extend => "extended",
        RequestAction.Clarify => "paused for clarification",
        RequestAction.Resume => "resumed",
        _ => "given a new code",
    };
}

/// <summary>The answer to a DPO action: the action's id, and whether it was handed to the workflow or only recorded.</summary>
public sealed record RequestActionResponse(string RequestId, string Action, string ActionId, string Status);
