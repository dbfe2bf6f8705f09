using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Retention;

/// <summary>
/// A hold: while it is active nothing it covers is deleted, by a sweep or by a request. <see cref="TargetId"/> is the
/// participant, session or study id. The reason is free text for the DPO; it never leaves the Holds table.
/// </summary>
public sealed record Hold
{
    public required string HoldId { get; init; }
    public required string StudyId { get; init; }
    public required string Kind { get; init; }
    public required string Scope { get; init; }
    public required string TargetId { get; init; }
    public required string Reason { get; init; }
    public required DateOnly ReviewOn { get; init; }
    public required string PlacedBy { get; init; }
    public required DateTimeOffset PlacedAt { get; init; }
    public DateTimeOffset? ReleasedAt { get; init; }
    public string? ReleasedBy { get; init; }

    public bool IsActive => ReleasedAt is null;

    /// <summary>Whether the hold covers material of <paramref name="sessionId"/> involving <paramref name="participantIds"/>.</summary>
    public bool Covers(string studyId, string? sessionId, IEnumerable<string> participantIds) =>
        IsActive && StudyId == studyId && Scope switch
        {
            HoldScope.Study => true,
            HoldScope.Session => sessionId == TargetId,
            HoldScope.Participant => participantIds.Contains(TargetId, StringComparer.Ordinal),
            _ => false,
        };

    /// <summary>
    /// The holds that keep <paramref name="participantId"/>'s access packages: a hold on the study, on them, or on a session
    /// of theirs (<paramref name="sessionIds"/>), whose transcript a package may hold. Another participant's hold does not.
    /// </summary>
    public static IReadOnlyList<string> KeepingAccessExports(IEnumerable<Hold> active, string studyId, string participantId, IEnumerable<string?> sessionIds)
    {
        ArgumentNullException.ThrowIfNull(active);
        var sessions = sessionIds.Distinct(StringComparer.Ordinal).ToList();
        return active.Where(h => h.Covers(studyId, null, [participantId]) || sessions.Any(s => h.Covers(studyId, s, [participantId]))).Select(h => h.HoldId).ToList();
    }
}

/// <summary>The audit events of holds: ids, codes and dates only (the reason stays in the Holds table).</summary>
public static class HoldAuditEvents
{
    /// <summary><c>hold.placed</c> by the hold's placer, with <paramref name="extra"/> details (e.g. the disclosure that placed it).</summary>
    public static Audit.AuditEvent Placed(Hold hold, params (string Key, string Value)[] extra)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["holdId"] = hold.HoldId,
            ["kind"] = hold.Kind,
            ["scope"] = hold.Scope,
            ["targetId"] = hold.TargetId,
            ["reviewOn"] = hold.ReviewOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra)
        {
            details[key] = value;
        }

        return new Audit.AuditEvent(hold.PlacedBy, Audit.AuditActions.HoldPlaced) { StudyId = hold.StudyId, Details = details, IdempotencyKey = $"{hold.HoldId}:placed" };
    }
}

/// <summary>What became of releasing a hold.</summary>
public enum HoldRelease
{
    Released,
    NotFound,
    AlreadyReleased,
}

/// <summary>Holds in the <c>Holds</c> table: partition by study, row by hold id. Released holds stay, with who and when.</summary>
public sealed class HoldStore(TableServiceClient tables)
{
    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Holds);

    /// <summary>A new hold id: <c>H-</c> and 8 random characters.</summary>
    public static string NewId() => PseudonymousId.New("H");

    public async Task AddAsync(Hold hold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hold);
        await table.AddEntityAsync(
            new TableEntity(hold.StudyId, hold.HoldId)
            {
                ["Kind"] = hold.Kind,
                ["Scope"] = hold.Scope,
                ["TargetId"] = hold.TargetId,
                ["Reason"] = hold.Reason,
                ["ReviewOn"] = hold.ReviewOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["PlacedBy"] = hold.PlacedBy,
                ["PlacedAt"] = hold.PlacedAt,
                ["ReleasedBy"] = string.Empty,
            },
            cancellationToken);
    }

    /// <summary>The hold with that id in any study, or null.</summary>
    public async Task<Hold?> FindAsync(string holdId, CancellationToken cancellationToken = default)
    {
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {holdId}"), cancellationToken: cancellationToken))
        {
            return FromEntity(row);
        }

        return null;
    }

    /// <summary>The study's holds that are still in place.</summary>
    public async Task<IReadOnlyList<Hold>> ListActiveAsync(string studyId, CancellationToken cancellationToken = default) =>
        [.. (await ListAsync(studyId, cancellationToken)).Where(h => h.IsActive)];

    /// <summary>Every hold of the study, in place or lifted.</summary>
    public async Task<IReadOnlyList<Hold>> ListAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var holds = new List<Hold>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {studyId}"), cancellationToken: cancellationToken))
        {
            holds.Add(FromEntity(row));
        }

        return holds;
    }

    /// <summary>Releases a hold once; the next sweep deletes what it kept, if its time has come.</summary>
    public async Task<(HoldRelease Outcome, Hold? Hold)> ReleaseAsync(string holdId, string releasedBy, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var hold = await FindAsync(holdId, cancellationToken);
        if (hold is null)
        {
            return (HoldRelease.NotFound, null);
        }

        if (!hold.IsActive)
        {
            return (HoldRelease.AlreadyReleased, hold);
        }

        try
        {
            var row = (await table.GetEntityAsync<TableEntity>(hold.StudyId, hold.HoldId, cancellationToken: cancellationToken)).Value;
            await table.UpdateEntityAsync(new TableEntity(hold.StudyId, hold.HoldId) { ["ReleasedAt"] = at, ["ReleasedBy"] = releasedBy }, row.ETag, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return (HoldRelease.AlreadyReleased, await FindAsync(holdId, cancellationToken));
        }

        return (HoldRelease.Released, hold with { ReleasedAt = at, ReleasedBy = releasedBy });
    }

    private static Hold FromEntity(TableEntity e) => new()
    {
        HoldId = e.RowKey,
        StudyId = e.PartitionKey,
        Kind = e.GetString("Kind") ?? string.Empty,
        Scope = e.GetString("Scope") ?? string.Empty,
        TargetId = e.GetString("TargetId") ?? string.Empty,
        Reason = e.GetString("Reason") ?? string.Empty,
        ReviewOn = DateOnly.ParseExact(e.GetString("ReviewOn") ?? "0001-01-01", "yyyy-MM-dd", CultureInfo.InvariantCulture),
        PlacedBy = e.GetString("PlacedBy") ?? string.Empty,
        PlacedAt = e.GetDateTimeOffset("PlacedAt") ?? default,
        ReleasedAt = e.GetDateTimeOffset("ReleasedAt"),
        ReleasedBy = e.GetString("ReleasedBy") is { Length: > 0 } by ? by : null,
    };
}

/// <summary>A hold as the API shows it (<see cref="HoldView"/>).</summary>
public static class HoldViews
{
    public static HoldView From(Hold h)
    {
        ArgumentNullException.ThrowIfNull(h);
        return new(h.HoldId, h.StudyId, h.Kind, h.Scope, h.TargetId, h.Reason, h.ReviewOn, h.PlacedBy, h.PlacedAt, h.ReleasedAt, h.ReleasedBy);
    }
}
