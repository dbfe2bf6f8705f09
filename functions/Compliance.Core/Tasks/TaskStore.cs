using Azure;
using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Tasks;

/// <summary>The kinds of manual task, the outcomes each accepts and the role that completes it.</summary>
public static class TaskKind
{
    /// <summary>A requester whose address matched no participant sent details; the DPO decides whether they are the participant.</summary>
    public const string IdentityCheck = "identity-check";

    /// <summary>An eligible withdrawal waits for the DPO's approval (or refusal, through the request's <c>refuse</c> action).</summary>
    public const string Approval = "approval";

    /// <summary>An objection, complaint or query for the DPO to handle and answer.</summary>
    public const string DpoReview = "dpo-review";

    /// <summary>An access request is due but a session of the participant has no transcript yet: a researcher uploads it.</summary>
    public const string TranscriptUpload = "transcript-upload";

    /// <summary>A withdrawn participant's voice is in a focus group's shared material: a researcher redacts their part.</summary>
    public const string Redaction = "redaction";

    /// <summary>The transcription supplier was told to delete a session's material (Art. 19): the DPO records its confirmation.</summary>
    public const string SupplierConfirmation = "supplier-confirmation";

    /// <summary>A rectification that did not say what to change: the DPO makes the change by hand.</summary>
    public const string Rectification = "rectification";

    /// <summary>A researcher recorded a safeguarding disclosure (break-glass): the DPO reviews it and the hold it placed.</summary>
    public const string SafeguardingReview = "safeguarding-review";

    /// <summary>An email whose request type the classifier could not tell: staff confirm the type (the outcome is the type) or say it is none.</summary>
    public const string MailTriage = "mail-triage";

    /// <summary>An email too large or too broken to read: kept in <c>mail-inbound</c>, for staff to read by hand.</summary>
    public const string MailQuarantine = "mail-quarantine";

    /// <summary>A reply to one of our emails that is not a code or a clarification's answer: staff read it and act.</summary>
    public const string MailReply = "mail-reply";

    /// <summary>An email of the request could not be sent after every attempt: staff find out why and send it again.</summary>
    public const string MailSendFailed = "mail-send-failed";

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Outcomes { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [IdentityCheck] = [TaskOutcome.Verified, TaskOutcome.NotVerified],
        [Approval] = [TaskOutcome.Approved],
        [DpoReview] = [TaskOutcome.Resolved],
        [TranscriptUpload] = [TaskOutcome.Uploaded],
        [Redaction] = [TaskOutcome.Redacted],
        [SupplierConfirmation] = [TaskOutcome.Confirmed],
        [Rectification] = [TaskOutcome.Done],
        [MailTriage] = [.. Requests.RequestType.All, TaskOutcome.NotARequest],
        [MailQuarantine] = [TaskOutcome.Done],
        [MailReply] = [TaskOutcome.Done],
        [SafeguardingReview] = [TaskOutcome.Reviewed],
        [MailSendFailed] = [TaskOutcome.Done],
    };

    /// <summary>Whether a workflow waits for tasks of <paramref name="kind"/> (a safeguarding review or a failed send is staff's alone).</summary>
    public static bool ResumesWorkflow(string kind) => kind is not (SafeguardingReview or MailSendFailed);

    /// <summary>The role that completes a task of <paramref name="kind"/>.</summary>
    public static string AssigneeOf(string kind) => kind is TranscriptUpload or Redaction ? Identity.Role.Researcher : Identity.Role.Dpo;
}

/// <summary>Outcomes of manual tasks.</summary>
public static class TaskOutcome
{
    public const string Verified = "verified";
    public const string NotVerified = "not-verified";
    public const string Approved = "approved";
    public const string Resolved = "resolved";
    public const string Uploaded = "uploaded";
    public const string Redacted = "redacted";
    public const string Confirmed = "confirmed";
    public const string Done = "done";

    /// <summary>The DPO has reviewed a safeguarding disclosure.</summary>
    public const string Reviewed = "reviewed";

    /// <summary>A triaged email asks for nothing the notice covers: no request is made.</summary>
    public const string NotARequest = "not-a-request";

    /// <summary>Set by the system on the open tasks of a request that was refused: nothing is left to do.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>A piece of work for a person that a workflow waits on: which request, what kind, who, by when.</summary>
public sealed record ManualTask
{
    public required string TaskId { get; init; }
    /// <summary>The workflow the task belongs to (and resumes), written <c>requestId</c> on the wire.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("requestId")]
    public required WorkflowRef Workflow { get; init; }

    public required string StudyId { get; init; }
    public required string Kind { get; init; }
    public required string AssigneeRole { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset DueAt { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? CompletedBy { get; init; }
    public string? Outcome { get; init; }
}

/// <summary>What became of completing a task.</summary>
public enum TaskCompletion
{
    Completed,
    NotFound,
    AlreadyCompleted,
}

/// <summary>
/// Manual tasks in the <c>Tasks</c> table. A task's id is made from its request and kind (<c>{requestId}.{kind}</c>), so a
/// workflow step that runs twice creates it once.
/// </summary>
public sealed class TaskStore(TableServiceClient tables)
{
    public const string Open = "open";
    public const string Done = "completed";
    private const string Partition = "tasks";
    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Tasks);

    public static string IdFor(string requestId, string kind) => $"{requestId}.{kind}";

    /// <summary>Creates the task unless it exists; returns it either way.</summary>
    public async Task<ManualTask> EnsureAsync(ManualTask task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            await table.AddEntityAsync(ToEntity(task), cancellationToken);
            return task;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await FindAsync(task.TaskId, cancellationToken))!;
        }
    }

    public async Task<ManualTask?> FindAsync(string taskId, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, taskId, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e ? FromEntity(e) : null;
    }

    /// <summary>Tasks with a status, optionally of one request, oldest due first.</summary>
    public async Task<IReadOnlyList<ManualTask>> ListAsync(string status, WorkflowRef? workflow, CancellationToken cancellationToken = default)
    {
        var requestId = workflow?.Id;
        var filter = requestId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {status}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {status} and RequestId eq {requestId}");
        var result = new List<ManualTask>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add(FromEntity(e));
        }

        return result.OrderBy(t => t.DueAt).ToList();
    }

    /// <summary>Completes an open task with an outcome, once: a second completion is refused (optimistic concurrency).</summary>
    public async Task<TaskCompletion> CompleteAsync(string taskId, string outcome, string completedBy, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, taskId, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is not { } row)
        {
            return TaskCompletion.NotFound;
        }

        if (row.GetString("Status") != Open)
        {
            return TaskCompletion.AlreadyCompleted;
        }

        try
        {
            await table.UpdateEntityAsync(
                new TableEntity(Partition, taskId) { ["Status"] = Done, ["Outcome"] = outcome, ["CompletedBy"] = completedBy, ["CompletedAt"] = at },
                row.ETag,
                TableUpdateMode.Merge,
                cancellationToken);
            return TaskCompletion.Completed;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return TaskCompletion.AlreadyCompleted;
        }
    }

    private static TableEntity ToEntity(ManualTask t) => new(Partition, t.TaskId)
    {
        ["RequestId"] = t.Workflow.Id,
        ["StudyId"] = t.StudyId,
        ["Kind"] = t.Kind,
        ["AssigneeRole"] = t.AssigneeRole,
        ["CreatedAt"] = t.CreatedAt,
        ["DueAt"] = t.DueAt,
        ["Status"] = t.Status,
    };

    private static ManualTask FromEntity(TableEntity e) => new()
    {
        TaskId = e.RowKey,
        Workflow = WorkflowRef.Parse(e.GetString("RequestId")),
        StudyId = e.GetString("StudyId") ?? string.Empty,
        Kind = e.GetString("Kind") ?? string.Empty,
        AssigneeRole = e.GetString("AssigneeRole") ?? string.Empty,
        CreatedAt = e.GetDateTimeOffset("CreatedAt") ?? default,
        DueAt = e.GetDateTimeOffset("DueAt") ?? default,
        Status = e.GetString("Status") ?? string.Empty,
        CompletedAt = e.GetDateTimeOffset("CompletedAt"),
        CompletedBy = e.GetString("CompletedBy"),
        Outcome = e.GetString("Outcome"),
    };
}
