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

    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Requests);

    /// <summary>
    /// Records a new request and its <c>received</c> history entry together. Returns false when a request with that id already exists.
    /// </summary>
    public async Task<bool> TryCreateAsync(DataSubjectRequestRecord request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var history = new RequestHistoryEntry(request.ReceivedAt, "received", request.Status, request.EnteredBy);
        try
        {
            await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(request)),
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(request.RequestId, history.Event, history)),
                ],
                cancellationToken);
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

    /// <summary>The request's history, oldest first.</summary>
    public async Task<IReadOnlyList<RequestHistoryEntry>> GetHistoryAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {requestId} and RowKey ge {HistoryPrefix} and RowKey lt {HistoryPrefix + "~"}");
        var entries = new List<RequestHistoryEntry>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(new RequestHistoryEntry(
                entity.GetDateTimeOffset("At") ?? default,
                entity.GetString("Event") ?? string.Empty,
                entity.GetString("Status") ?? string.Empty,
                entity.GetString("Actor") ?? string.Empty));
        }

        return entries.OrderBy(e => e.At).ToList();
    }

    /// <summary>
    /// Moves the request to <paramref name="entry"/>'s status and appends the entry, in one transaction, once per
    /// <paramref name="stepKey"/>. Activities run at least once, and a step re-run after a crash may carry a later time, so the
    /// step's key, not its time, makes the write idempotent: a second call for the same step changes nothing and returns false.
    /// </summary>
    public async Task<bool> RecordStepAsync(string requestId, string stepKey, RequestHistoryEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var statusUpdate = new TableEntity(requestId, RequestRowKey) { ["Status"] = entry.Status };
        try
        {
            await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.UpdateMerge, statusUpdate, ETag.All),
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(requestId, stepKey, entry)),
                ],
                cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
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
        RequesterName = e.GetString("RequesterName"),
        ParticipantRef = e.GetString("ParticipantRef"),
        Details = e.GetString("Details"),
        IdentityConfirmed = e.GetBoolean("IdentityConfirmed") ?? false,
        EnteredBy = e.GetString("EnteredBy") ?? string.Empty,
        ClockStartedAt = e.GetDateTimeOffset("ClockStartedAt"),
        DueDate = ParseDate(e.GetString("DueDate")),
        DueDateDerivation = JsonSerializer.Deserialize<string[]>(e.GetString("DueDateDerivation") ?? "[]") ?? [],
        ExtendedTo = ParseDate(e.GetString("ExtendedTo")),
        PausedDays = e.GetInt32("PausedDays") ?? 0,
        Outcome = e.GetString("Outcome"),
    };

    private static DateOnly? ParseDate(string? value) =>
        value is null ? null : DateOnly.ParseExact(value, "O", CultureInfo.InvariantCulture);
}
