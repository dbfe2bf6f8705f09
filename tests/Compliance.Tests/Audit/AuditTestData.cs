using Azure.Data.Tables;
using Compliance.Audit;
using Compliance.Storage;

namespace Compliance.Tests.Audit;

/// <summary>Helpers for audit tests: a study of each test's own (so chains do not interfere) and raw access to the table.</summary>
internal static class AuditTestData
{
    public static string NewStudyId() => "audit-" + Guid.NewGuid().ToString("N")[..16];

    public static TableClient Table(TableServiceClient tables) => tables.GetTableClient(StorageLayout.Tables.AuditLog);

    public static AuditEvent Event(string studyId, string action = "study.tested", string? requestId = null, int n = 0) =>
        new("staff-1", action)
        {
            StudyId = studyId,
            RequestId = requestId,
            Details = new Dictionary<string, string> { ["n"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };

    /// <summary>Appends <paramref name="count"/> events (details n = 1..count) to the study's chain, one after another.</summary>
    public static async Task<List<AuditEntry>> AppendAsync(AuditLog log, string studyId, int count)
    {
        var entries = new List<AuditEntry>();
        for (var n = 1; n <= count; n++)
        {
            entries.Add(await log.AppendAsync(Event(studyId, n: n), TestContext.Current.CancellationToken));
        }

        return entries;
    }

    /// <summary>The stored row of an entry, as anyone with the storage account's keys could read and rewrite it.</summary>
    public static async Task<TableEntity> RowAsync(TableServiceClient tables, string studyId, long sequence) =>
        (await Table(tables).GetEntityAsync<TableEntity>(AuditLog.ChainFor(studyId), AuditLog.RowKeyFor(sequence), cancellationToken: TestContext.Current.CancellationToken)).Value;

    /// <summary>The row's own properties, to be written under another key.</summary>
    public static TableEntity CopyTo(TableEntity row, string partitionKey, string rowKey)
    {
        var copy = new TableEntity(partitionKey, rowKey);
        foreach (var (key, value) in row)
        {
            if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                copy[key] = value;
            }
        }

        return copy;
    }

    /// <summary>The problems verification reports for this study's chain (other tests break other chains on purpose).</summary>
    public static async Task<IReadOnlyList<AuditProblem>> ProblemsOfAsync(AuditLog log, string studyId)
    {
        var result = await log.VerifyAsync(TestContext.Current.CancellationToken);
        result.Valid.ShouldBe(result.Problems.Count == 0);
        return result.Problems.Where(p => p.Chain == AuditLog.ChainFor(studyId)).ToList();
    }
}
