using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Requests;

/// <summary>
/// Data-subject requests in the <c>Requests</c> table: one partition per request holding the request row and its history rows,
/// so a status change and its history entry are written in one transaction.
/// </summary>
public sealed class RequestStore(TableServiceClient tables)
{
    private const string RequestRowKey = "request";
    private const string HistoryPrefix = "history|";
    private const string ActionPrefix = "action|";
    private const string MailPrefix = "mail|";
    private const string CreationIdField = "CreationId";

    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Requests);

    /// <summary>
    /// Records a new request and its <c>received</c> history entry together. Returns false when a request with that id already exists.
    /// </summary>
    public async Task<bool> TryCreateAsync(DataSubjectRequestRecord request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var history = new RequestHistoryEntry(request.ReceivedAt, "received", request.Status, request.EnteredBy);

        // The row is marked with an id of this write. The client retries a transaction whose answer was lost (a 500 or a
        // reset after storage applied it); the retry meets 409 against the write itself, and without the mark the request
        // would read as an id another request holds, and be recorded a second time under a new id.
        var creationId = Guid.NewGuid().ToString("N");
        var row = ToEntity(request);
        row[CreationIdField] = creationId;
        if (await TrySubmitAsync(
            new TableTransactionAction(TableTransactionActionType.Add, row),
            new TableTransactionAction(TableTransactionActionType.Add, ToEntity(request.RequestId, history.Event, history)),
            cancellationToken))
        {
            return true;
        }

        var existing = await table.GetEntityIfExistsAsync<TableEntity>(request.RequestId, RequestRowKey, [CreationIdField], cancellationToken);
        return existing.HasValue && existing.Value!.GetString(CreationIdField) == creationId;
    }

    /// <summary>Writes the row change and the history row together; false when the history row exists (the step was recorded).</summary>
    private async Task<bool> TrySubmitAsync(TableTransactionAction row, TableTransactionAction history, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync([row, history], cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The request with that id, or null.</summary>
    public async Task<DataSubjectRequestRecord?> FindAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(requestId, RequestRowKey, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } entity ? FromEntity(entity) : null;
    }

    /// <summary>The request with that id; a workflow step's request must exist, so its absence is an error.</summary>
    /// <exception cref="InvalidOperationException">No request has that id.</exception>
    public async Task<DataSubjectRequestRecord> GetAsync(string requestId, CancellationToken cancellationToken = default) =>
        await FindAsync(requestId, cancellationToken) ?? throw new InvalidOperationException($"Request {requestId} is not recorded.");

    /// <summary>The request's history, oldest first.</summary>
    public async Task<IReadOnlyList<RequestHistoryEntry>> GetHistoryAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {requestId} and RowKey ge {HistoryPrefix} and RowKey lt {HistoryPrefix + "~"}");
        var entries = new List<(RequestHistoryEntry Entry, DateTimeOffset? Written)>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add((FromHistoryEntity(entity), entity.Timestamp));
        }

        // Steps of one activity share its time; the order they were written in breaks the tie.
        return entries.OrderBy(e => e.Entry.At).ThenBy(e => e.Written).Select(e => e.Entry).ToList();
    }

    /// <summary>The history entry recorded for <paramref name="stepKey"/>, or null when that step has not been recorded.</summary>
    public async Task<RequestHistoryEntry?> FindStepAsync(string requestId, string stepKey, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(requestId, HistoryPrefix + stepKey, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } entity ? FromHistoryEntity(entity) : null;
    }

    private static RequestHistoryEntry FromHistoryEntity(TableEntity entity) => new(
        entity.GetDateTimeOffset("At") ?? default,
        entity.GetString("Event") ?? string.Empty,
        entity.GetString("Status") ?? string.Empty,
        entity.GetString("Actor") ?? string.Empty);

    /// <summary>The request with that id as a model, to change with its methods and <see cref="SaveAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">No request has that id.</exception>
    public async Task<DataSubjectRequest> LoadAsync(string requestId, CancellationToken cancellationToken = default) =>
        DataSubjectRequest.From(await GetAsync(requestId, cancellationToken));

    /// <summary>
    /// Writes what <paramref name="request"/>'s methods changed (its status, clock, decision, outcome) and appends the history
    /// entry <paramref name="historyEvent"/>, in one transaction, once per <paramref name="stepKey"/>. Activities run at least
    /// once, and a step re-run after a crash may carry a later time, so the step's key, not its time, makes the write idempotent:
    /// a second call for the same step changes nothing and returns false. Only changed columns are written, so a model loaded
    /// before another writer's change does not undo it (the requester's details, erased meanwhile, stay erased).
    /// </summary>
    public async Task<bool> SaveAsync(
        DataSubjectRequest request,
        string stepKey,
        string historyEvent,
        string actor,
        DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var update = new TableEntity(request.Id, RequestRowKey) { ["Status"] = request.State.Status };
        var before = LifecycleColumns(request.Loaded);
        foreach (var (column, value) in LifecycleColumns(request.State))
        {
            if (!Equals(before[column], value))
            {
                update[column] = value ?? string.Empty;
            }
        }

        return await TrySubmitAsync(
            new TableTransactionAction(TableTransactionActionType.UpdateMerge, update, ETag.All),
            new TableTransactionAction(TableTransactionActionType.Add, ToEntity(request.Id, stepKey, new RequestHistoryEntry(at, historyEvent, request.State.Status, actor))),
            cancellationToken);
    }

    /// <summary>
    /// Appends a history entry that changes nothing about the request (a reminder sent, a note added), once per
    /// <paramref name="stepKey"/>; the entry carries the status as <paramref name="request"/> has it. False when already recorded.
    /// </summary>
    public async Task<bool> RecordStepAsync(
        DataSubjectRequestRecord request,
        string stepKey,
        string historyEvent,
        string actor,
        DateTimeOffset at,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            await table.AddEntityAsync(ToEntity(request.RequestId, stepKey, new RequestHistoryEntry(at, historyEvent, request.Status, actor)), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The columns of a request row that its model's methods change, as stored.</summary>
    private static Dictionary<string, object?> LifecycleColumns(DataSubjectRequestRecord r) => new(StringComparer.Ordinal)
    {
        ["ParticipantId"] = r.ParticipantId,
        ["DuplicateOf"] = r.DuplicateOf,
        ["VerificationMode"] = r.VerificationMode,
        ["ClockStartedAt"] = r.ClockStartedAt,
        ["DueDate"] = r.DueDate is { } due ? FormatDate(due) : null,
        ["DueDateDerivation"] = JsonSerializer.Serialize(r.DueDateDerivation),
        ["ExtendedTo"] = r.ExtendedTo is { } extendedTo ? FormatDate(extendedTo) : null,
        ["Extended"] = r.Extended,
        ["PausedDays"] = r.PausedDays,
        ["Pauses"] = JsonSerializer.Serialize(r.Pauses),
        ["Outcome"] = r.Outcome,
        ["Decision"] = r.Decision?.Decision,
        ["DecidedBy"] = r.Decision?.Reviewer,
        ["DecidedAt"] = r.Decision?.DecidedAt,
        ["DecisionExemption"] = r.Decision?.Exemption,
        ["DecisionReason"] = r.Decision?.Reason,
        ["StalledStep"] = r.Stall?.Step,
        ["StalledSince"] = r.Stall?.Since,
        ["StalledError"] = r.Stall?.Error,
        ["StallFailures"] = r.Stall?.Failures,
    };

    /// <summary>The earliest open request of <paramref name="type"/> by the participant in the study other than <paramref name="exceptRequestId"/>, if any.</summary>
    public async Task<DataSubjectRequestRecord?> FindOpenAsync(string studyId, string participantId, string type, string exceptRequestId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"RowKey eq {RequestRowKey} and StudyId eq {studyId} and ParticipantId eq {participantId} and Type eq {type}");
        var open = new List<DataSubjectRequestRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var request = FromEntity(entity);
            if (RequestStatus.IsOpen(request.Status) && request.RequestId != exceptRequestId)
            {
                open.Add(request);
            }
        }

        return open.OrderBy(r => r.ReceivedAt).FirstOrDefault();
    }

    /// <summary>
    /// Records a new verification code (its hash and expiry), resetting the count of wrong attempts, and in the same write the
    /// <paramref name="status"/> that accepts it, so the request takes its code from the moment the code exists: the email
    /// that carries it is written only after this.
    /// </summary>
    public Task SetVerificationCodeAsync(string requestId, string codeHash, DateTimeOffset expiresAt, string status, CancellationToken cancellationToken = default) =>
        table.UpdateEntityAsync(
            new TableEntity(requestId, RequestRowKey) { [CodeRow.Hash] = codeHash, [CodeRow.ExpiresAt] = expiresAt, [CodeRow.Attempts] = 0, ["Status"] = status },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken);

    /// <summary>
    /// Checks a verification code. Wrong codes are counted (with optimistic concurrency, so parallel guesses all count) and after
    /// <paramref name="maxAttempts"/> the code is locked until a new one is issued. An unknown request answers as a wrong code does.
    /// </summary>
    public Task<CodeCheck> CheckCodeAsync(string requestId, string code, DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken = default) =>
        CodeRow.CheckAsync(
            table,
            requestId,
            RequestRowKey,
            requestId,
            code,
            now,
            maxAttempts,
            row => row.GetString("Status") == RequestStatus.AwaitingVerification,
            cancellationToken);

    /// <summary>Requests (newest first), optionally only those with a status and of a study. Ids, types and dates; no history.</summary>
    public async Task<IReadOnlyList<DataSubjectRequestRecord>> ListAsync(string? status, string? studyId, CancellationToken cancellationToken = default)
    {
        var filter = (status, studyId) switch
        {
            (null, null) => TableClient.CreateQueryFilter($"RowKey eq {RequestRowKey}"),
            (not null, null) => TableClient.CreateQueryFilter($"RowKey eq {RequestRowKey} and Status eq {status}"),
            (null, not null) => TableClient.CreateQueryFilter($"RowKey eq {RequestRowKey} and StudyId eq {studyId}"),
            _ => TableClient.CreateQueryFilter($"RowKey eq {RequestRowKey} and Status eq {status} and StudyId eq {studyId}"),
        };
        var result = new List<DataSubjectRequestRecord>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            result.Add(FromEntity(entity));
        }

        return result.OrderByDescending(r => r.ReceivedAt).ToList();
    }

    /// <summary>
    /// Records that the inbound message <paramref name="intakeKey"/> belongs to the request's correspondence (it made the
    /// request, or replied to it), beside the request: the intake key only. Idempotent.
    /// </summary>
    public async Task LinkMessageAsync(string requestId, string intakeKey, DateTimeOffset receivedAt, CancellationToken cancellationToken = default) =>
        await table.UpsertEntityAsync(new TableEntity(requestId, MailPrefix + intakeKey) { ["At"] = receivedAt }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>The intake keys of the inbound messages of the request's correspondence, in the order they were received.</summary>
    public async Task<IReadOnlyList<string>> ListMessagesAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {requestId} and RowKey ge {MailPrefix} and RowKey lt {MailPrefix + "~"}");
        var found = new List<(DateTimeOffset At, string Key)>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            found.Add((entity.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue, entity.RowKey[MailPrefix.Length..]));
        }

        return found.OrderBy(f => f.At).Select(f => f.Key).ToList();
    }

    /// <summary>Stores an action the DPO took, beside its request; false if one with that id exists.</summary>
    public async Task<bool> TryAddActionAsync(RequestActionRecord action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            await table.AddEntityAsync(
                new TableEntity(action.RequestId, ActionPrefix + action.ActionId)
                {
                    ["Action"] = action.Action,
                    ["Actor"] = action.Actor,
                    ["At"] = action.At,
                    ["Reason"] = action.Reason,
                    ["Exemption"] = action.Exemption,
                    ["Text"] = action.Text,
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    /// <summary>An action stored with <see cref="TryAddActionAsync"/>, or null.</summary>
    public async Task<RequestActionRecord?> FindActionAsync(string requestId, string actionId, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(requestId, ActionPrefix + actionId, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e
            ? new RequestActionRecord
            {
                RequestId = requestId,
                ActionId = actionId,
                Action = e.GetString("Action") ?? string.Empty,
                Actor = e.GetString("Actor") ?? string.Empty,
                At = e.GetDateTimeOffset("At") ?? default,
                Reason = e.GetString("Reason"),
                Exemption = e.GetString("Exemption"),
                Text = e.GetString("Text"),
                Result = e.GetString("Result"),
            }
            : null;
    }

    /// <summary>Records what the workflow made of an action.</summary>
    public Task SetActionResultAsync(string requestId, string actionId, string result, CancellationToken cancellationToken = default) =>
        table.UpdateEntityAsync(new TableEntity(requestId, ActionPrefix + actionId) { ["Result"] = result }, ETag.All, TableUpdateMode.Merge, cancellationToken);

    /// <summary>The columns of a request row that hold the requester's personal data: the address, the name, what they wrote, the details they asked for.</summary>
    public static IReadOnlyList<string> RequesterColumns { get; } = ["RequesterEmail", "RequesterName", "ParticipantRef", "Details", "NewName", "NewEmail", "NewPhone"];

    /// <summary>
    /// Blanks the requester's personal data on a request row (<see cref="RequesterColumns"/>; a merge cannot remove a column, so
    /// each is set empty). Ids, dates, the status, the decision and the outcome stay: the record of how the request was handled.
    /// </summary>
    public async Task EraseRequesterAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var update = new TableEntity(requestId, RequestRowKey);
        foreach (var column in RequesterColumns)
        {
            update[column] = string.Empty;
        }

        await table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Removes a request and its history; used only when its workflow could not be started, so nothing half-made stays.</summary>
    public async Task DeleteAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {requestId}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ETag.All, cancellationToken);
        }
    }

    private static TableEntity ToEntity(DataSubjectRequestRecord r) => new(r.RequestId, RequestRowKey)
    {
        ["StudyId"] = r.StudyId,
        ["Type"] = r.Type,
        ["Channel"] = r.Channel,
        ["ReceivedAt"] = r.ReceivedAt,
        ["Status"] = r.Status,
        ["RequesterEmail"] = r.RequesterEmail,
        ["RequesterName"] = r.RequesterName,
        ["ParticipantRef"] = r.ParticipantRef,
        ["Details"] = r.Details,
        ["IdentityConfirmed"] = r.IdentityConfirmed,
        ["EnteredBy"] = r.EnteredBy,
        ["ClockStartedAt"] = r.ClockStartedAt,
        ["DueDate"] = r.DueDate?.ToString("O", CultureInfo.InvariantCulture),
        ["DueDateDerivation"] = JsonSerializer.Serialize(r.DueDateDerivation),
        ["ExtendedTo"] = r.ExtendedTo?.ToString("O", CultureInfo.InvariantCulture),
        ["PausedDays"] = r.PausedDays,
        ["Outcome"] = r.Outcome,
        ["ParticipantId"] = r.ParticipantId,
        ["VerificationMode"] = r.VerificationMode,
        ["VerifiedAt"] = r.VerifiedAt,
        ["DuplicateOf"] = r.DuplicateOf,
        ["Pauses"] = JsonSerializer.Serialize(r.Pauses),
        ["Extended"] = r.Extended,
        ["NewName"] = r.RequestedChange?.Name,
        ["NewEmail"] = r.RequestedChange?.Email,
        ["NewPhone"] = r.RequestedChange?.Phone,
    };

    private static TableEntity ToEntity(string requestId, string stepKey, RequestHistoryEntry entry) =>
        new(requestId, HistoryPrefix + stepKey)
        {
            ["At"] = entry.At,
            ["Event"] = entry.Event,
            ["Status"] = entry.Status,
            ["Actor"] = entry.Actor,
        };

    private static DataSubjectRequestRecord FromEntity(TableEntity e) => new()
    {
        RequestId = e.PartitionKey,
        StudyId = e.GetString("StudyId") ?? string.Empty,
        Type = e.GetString("Type") ?? string.Empty,
        Channel = e.GetString("Channel") ?? string.Empty,
        ReceivedAt = e.GetDateTimeOffset("ReceivedAt") ?? default,
        Status = e.GetString("Status") ?? string.Empty,
        RequesterEmail = e.GetString("RequesterEmail") ?? string.Empty,
        RequesterName = e.GetString("RequesterName") is { Length: > 0 } requesterName ? requesterName : null,
        ParticipantRef = e.GetString("ParticipantRef") is { Length: > 0 } reference ? reference : null,
        Details = e.GetString("Details") is { Length: > 0 } details ? details : null,
        IdentityConfirmed = e.GetBoolean("IdentityConfirmed") ?? false,
        EnteredBy = e.GetString("EnteredBy") ?? string.Empty,
        ClockStartedAt = e.GetDateTimeOffset("ClockStartedAt"),
        DueDate = ParseDate(e.GetString("DueDate")),
        DueDateDerivation = JsonSerializer.Deserialize<string[]>(e.GetString("DueDateDerivation") ?? "[]") ?? [],
        ExtendedTo = ParseDate(e.GetString("ExtendedTo")),
        Extended = e.GetBoolean("Extended") ?? false,
        PausedDays = e.GetInt32("PausedDays") ?? 0,
        Outcome = e.GetString("Outcome"),
        ParticipantId = e.GetString("ParticipantId"),
        VerificationMode = e.GetString("VerificationMode"),
        VerifiedAt = e.GetDateTimeOffset("VerifiedAt"),
        DuplicateOf = e.GetString("DuplicateOf"),
        Pauses = JsonSerializer.Deserialize<Deadlines.ClockPause[]>(e.GetString("Pauses") ?? "[]") ?? [],
        Decision = e.GetString("Decision") is { } decision
            ? new RequestDecision(decision, e.GetString("DecidedBy") ?? string.Empty, e.GetDateTimeOffset("DecidedAt") ?? default, e.GetString("DecisionExemption"), e.GetString("DecisionReason"))
            : null,
        RequestedChange = new ContactCorrection(NullIfEmpty(e.GetString("NewName")), NullIfEmpty(e.GetString("NewEmail")), NullIfEmpty(e.GetString("NewPhone"))) is { IsEmpty: false } change ? change : null,
        Stall = NullIfEmpty(e.GetString("StalledStep")) is { } step
            ? new RequestStall(step, e.GetDateTimeOffset("StalledSince") ?? default, e.GetString("StalledError") ?? string.Empty, e.GetInt32("StallFailures") ?? 1)
            : null,
    };

    /// <summary>A date as the requests table stores it.</summary>
    public static string FormatDate(DateOnly date) => date.ToString("O", CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // A merge cannot remove a property, so a date that no longer applies (a paused clock's due date) is stored empty.
    private static DateOnly? ParseDate(string? value) =>
        string.IsNullOrEmpty(value) ? null : DateOnly.ParseExact(value, "O", CultureInfo.InvariantCulture);
}
