using Azure;
using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Tasks;

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

    /// <summary>Why the task was made, as a code (a triage's <c>uncertain</c>, <c>no-intent</c>, …), when it says more than its kind.</summary>
    public string? Reason { get; init; }

    /// <summary>The outcomes the workflow suggests (a triage's types found), most likely first.</summary>
    public IReadOnlyList<string> Suggested { get; init; } = [];

    /// <summary>The rule ids that led to the task (the classifier's phrases that were found: the rules' words, not the message's).</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];
}

/// <summary>A task as the API sends it (<see cref="TaskView"/>).</summary>
public static class TaskViews
{
    public static TaskView From(ManualTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.TaskId, task.Workflow.Id, task.StudyId, task.Kind, task.AssigneeRole, task.CreatedAt, task.DueAt, task.Status, task.CompletedAt, task.CompletedBy, task.Outcome, task.Reason, task.Suggested, task.Rules);
    }
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

        // Each completion marks the row with an id of its own. The client retries a write whose answer was lost (a 500 or a
        // reset after storage applied it); the retry then meets 412 against the write itself, and without the mark this
        // completion would be refused as someone else's, leaving the workflow never told.
        var completionId = Guid.NewGuid().ToString("N");
        try
        {
            await table.UpdateEntityAsync(
                new TableEntity(Partition, taskId) { ["Status"] = Done, ["Outcome"] = outcome, ["CompletedBy"] = completedBy, ["CompletedAt"] = at, ["CompletionId"] = completionId },
                row.ETag,
                TableUpdateMode.Merge,
                cancellationToken);
            return TaskCompletion.Completed;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            var now = await table.GetEntityIfExistsAsync<TableEntity>(Partition, taskId, cancellationToken: cancellationToken);
            return now.HasValue && now.Value!.GetString("CompletionId") == completionId ? TaskCompletion.Completed : TaskCompletion.AlreadyCompleted;
        }
    }

    private static TableEntity ToEntity(ManualTask t)
    {
        var entity = new TableEntity(Partition, t.TaskId)
        {
            ["RequestId"] = t.Workflow.Id,
            ["StudyId"] = t.StudyId,
            ["Kind"] = t.Kind,
            ["AssigneeRole"] = t.AssigneeRole,
            ["CreatedAt"] = t.CreatedAt,
            ["DueAt"] = t.DueAt,
            ["Status"] = t.Status,
        };
        if (t.Reason is not null)
        {
            entity["Reason"] = t.Reason;
        }

        if (t.Suggested.Count > 0)
        {
            entity["Suggested"] = string.Join(' ', t.Suggested);
        }

        if (t.Rules.Count > 0)
        {
            entity["Rules"] = string.Join(' ', t.Rules);
        }

        return entity;
    }

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
        Reason = e.GetString("Reason"),
        Suggested = SpaceSeparated(e.GetString("Suggested")),
        Rules = SpaceSeparated(e.GetString("Rules")),
    };

    private static string[] SpaceSeparated(string? value) => value is null ? [] : value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
