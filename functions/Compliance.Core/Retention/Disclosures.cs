using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Retention;

/// <summary>
/// A safeguarding break-glass record: a researcher judged there was a risk of harm and disclosed identifiable material about
/// a participant or session. Who, why, what and to whom are kept here (the why and what are free text, so never in the
/// audit log); the hold it placed keeps the material from deletion, and the DPO reviews it.
/// </summary>
public sealed record Disclosure
{
    public required string DisclosureId { get; init; }
    public required string StudyId { get; init; }
    public required string Scope { get; init; }
    public required string TargetId { get; init; }
    public required string Reason { get; init; }
    public required string WhatDisclosed { get; init; }
    public required string Recipient { get; init; }
    public string? RecipientDetails { get; init; }
    public required string DisclosedBy { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string HoldId { get; init; }
    public required string ReviewTaskId { get; init; }
}

/// <summary>Disclosures in the <c>Disclosures</c> table: partition by study, row by disclosure id. Add-only.</summary>
public sealed class DisclosureStore(TableServiceClient tables)
{
    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.Disclosures);

    /// <summary>A new disclosure id: <c>SG-</c> and 8 random characters.</summary>
    public static string NewId() => PseudonymousId.New("SG");

    public async Task AddAsync(Disclosure disclosure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(disclosure);
        await table.AddEntityAsync(
            new TableEntity(disclosure.StudyId, disclosure.DisclosureId)
            {
                ["Scope"] = disclosure.Scope,
                ["TargetId"] = disclosure.TargetId,
                ["Reason"] = disclosure.Reason,
                ["WhatDisclosed"] = disclosure.WhatDisclosed,
                ["Recipient"] = disclosure.Recipient,
                ["RecipientDetails"] = disclosure.RecipientDetails ?? string.Empty,
                ["DisclosedBy"] = disclosure.DisclosedBy,
                ["At"] = disclosure.At,
                ["HoldId"] = disclosure.HoldId,
                ["ReviewTaskId"] = disclosure.ReviewTaskId,
            },
            cancellationToken);
    }

    /// <summary>The disclosure with that id in the study, or null.</summary>
    public async Task<Disclosure?> FindAsync(string studyId, string disclosureId, CancellationToken cancellationToken = default)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(studyId, disclosureId, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } e ? FromEntity(e) : null;
    }

    /// <summary>The study's disclosures, newest first.</summary>
    public async Task<IReadOnlyList<Disclosure>> ListAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var found = new List<Disclosure>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {studyId}"), cancellationToken: cancellationToken))
        {
            found.Add(FromEntity(e));
        }

        return found.OrderByDescending(d => d.At).ToList();
    }

    /// <summary>A disclosure as the API shows it.</summary>
    public static DisclosureView ViewOf(Disclosure d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new(d.DisclosureId, d.StudyId, d.Scope, d.TargetId, d.Reason, d.WhatDisclosed, d.Recipient, d.RecipientDetails, d.DisclosedBy, d.At, d.HoldId, d.ReviewTaskId);
    }

    private static Disclosure FromEntity(TableEntity e) => new()
    {
        DisclosureId = e.RowKey,
        StudyId = e.PartitionKey,
        Scope = e.GetString("Scope") ?? string.Empty,
        TargetId = e.GetString("TargetId") ?? string.Empty,
        Reason = e.GetString("Reason") ?? string.Empty,
        WhatDisclosed = e.GetString("WhatDisclosed") ?? string.Empty,
        Recipient = e.GetString("Recipient") ?? string.Empty,
        RecipientDetails = e.GetString("RecipientDetails") is { Length: > 0 } d ? d : null,
        DisclosedBy = e.GetString("DisclosedBy") ?? string.Empty,
        At = e.GetDateTimeOffset("At") ?? default,
        HoldId = e.GetString("HoldId") ?? string.Empty,
        ReviewTaskId = e.GetString("ReviewTaskId") ?? string.Empty,
    };
}
