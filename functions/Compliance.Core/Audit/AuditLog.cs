using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Compliance.Storage;

namespace Compliance.Audit;

/// <summary>
/// The append-only, hash-chained audit log in the <c>AuditLog</c> table (docs/audit.md). One chain per study
/// (<c>study:{studyId}</c>) and a <c>global</c> chain for the rest; each chain is a table partition holding its entries
/// (row key: the sequence number, 19 digits), a <c>head</c> row naming the last entry, and <c>idem|{key}</c> rows for
/// idempotency keys. An append writes the entry and moves the head in one entity-group transaction guarded by the head's
/// ETag, so concurrent writers take turns and never fork a chain. With <paramref name="anchors"/>, chain heads are copied to
/// write-once storage (<see cref="AnchorAsync"/>, and at every <see cref="AuditActions.CertificateIssued"/>) and
/// <see cref="VerifyAsync(CancellationToken)"/> checks the chains against them, so even a chain rewritten wholesale, every
/// hash consistent, is found.
/// </summary>
public sealed partial class AuditLog(TableServiceClient tables, TimeProvider time, AuditAnchors? anchors = null)
{
    /// <summary>The chain of events that concern no study.</summary>
    public const string GlobalChain = "global";

    /// <summary>The prefix of a study's chain id.</summary>
    public const string StudyChainPrefix = "study:";

    /// <summary>How many entries <see cref="QueryAsync(string?, string?, int, string?, CancellationToken)"/> returns when not told.</summary>
    public const int DefaultLimit = 200;

    /// <summary>The largest limit the HTTP API accepts, and the most rows a query reads per page.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The most details one event may carry.</summary>
    public const int MaxDetails = 16;

    /// <summary>How many times an append is tried against other writers before it gives up.</summary>
    public const int MaxAppendAttempts = 50;

    private const string HeadRowKey = "head";
    private const string IdempotencyPrefix = "idem|";
    private const string EntryKeyFormat = "D19";
    private static readonly string FirstEntryKey = 0L.ToString(EntryKeyFormat, CultureInfo.InvariantCulture);
    private static readonly string LastEntryKey = long.MaxValue.ToString(EntryKeyFormat, CultureInfo.InvariantCulture);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMilliseconds(100);

    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.AuditLog);

    /// <summary>The chain an event about <paramref name="studyId"/> (or about no study) goes to.</summary>
    public static string ChainFor(string? studyId) => studyId is null ? GlobalChain : StudyChainPrefix + studyId;

    /// <summary>The row key of the entry at <paramref name="sequence"/>: zero-padded to 19 digits, so row order is chain order.</summary>
    public static string RowKeyFor(long sequence) => sequence.ToString(EntryKeyFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// Appends <paramref name="auditEvent"/> to the end of its chain and returns the stored entry. With an idempotency key
    /// already used in that chain, returns the entry first appended with it and writes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A field does not have the shape of an id or code (the message names the field, not its value).</exception>
    /// <exception cref="InvalidOperationException">Other writers won <see cref="MaxAppendAttempts"/> times in a row, or the chain is damaged.</exception>
    public async Task<AuditEntry> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        Validate(auditEvent);
        var entry = await AppendToChainAsync(auditEvent, cancellationToken);

        // A certificate is the proof a DPO hands on: the chain that records its issue is anchored at that entry, so the
        // record of it cannot be rewritten afterwards unnoticed. Again on a retry (create-only: nothing is written twice).
        if (anchors is not null && auditEvent.Action == AuditActions.CertificateIssued)
        {
            await anchors.TryWriteAsync(new AuditAnchor(entry.Chain, entry.Sequence, entry.Hash, time.GetUtcNow(), AuditActions.CertificateIssued), cancellationToken);
        }

        return entry;
    }

    /// <summary>
    /// Anchors each of <paramref name="chains"/> that has a head at its head, unless that position is anchored already;
    /// returns how many anchors this call wrote. Reads one head row per chain.
    /// </summary>
    public async Task<int> AnchorAsync(IEnumerable<string> chains, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chains);
        if (anchors is null)
        {
            throw new InvalidOperationException("This audit log has no anchor store.");
        }

        var written = 0;
        foreach (var chain in chains.Distinct(StringComparer.Ordinal))
        {
            var head = await table.GetEntityIfExistsAsync<TableEntity>(chain, HeadRowKey, cancellationToken: cancellationToken);
            if (head.HasValue && head.Value is { } row && row.GetInt64("LastSequence") is { } sequence && row.GetString("LastHash") is { } hash
                && await anchors.TryWriteAsync(new AuditAnchor(chain, sequence, hash, time.GetUtcNow(), reason), cancellationToken))
            {
                written++;
            }
        }

        return written;
    }

    private async Task<AuditEntry> AppendToChainAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var chain = ChainFor(auditEvent.StudyId);
        var details = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in auditEvent.Details ?? new Dictionary<string, string>())
        {
            details.Add(key, value);
        }

        for (var attempt = 1; ; attempt++)
        {
            var headResponse = await table.GetEntityIfExistsAsync<TableEntity>(chain, HeadRowKey, cancellationToken: cancellationToken);
            var head = headResponse.HasValue ? headResponse.Value : null;
            var sequence = (head?.GetInt64("LastSequence") ?? 0) + 1;
            var unsigned = new AuditEntry(
                chain,
                sequence,
                WholeMilliseconds(time.GetUtcNow()),
                auditEvent.Actor,
                auditEvent.Action,
                auditEvent.StudyId,
                auditEvent.RequestId,
                details,
                auditEvent.IdempotencyKey,
                head?.GetString("LastHash") ?? AuditHash.Genesis,
                Hash: string.Empty);
            var entry = unsigned with { Hash = AuditHash.Compute(unsigned) };

            var newHead = new TableEntity(chain, HeadRowKey) { ["LastSequence"] = entry.Sequence, ["LastHash"] = entry.Hash, ["LastAt"] = entry.At };
            List<TableTransactionAction> actions =
            [
                head is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, newHead)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, newHead, head.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, ToEntity(entry)),
            ];
            if (entry.IdempotencyKey is { } idempotencyKey)
            {
                actions.Add(new TableTransactionAction(
                    TableTransactionActionType.Add,
                    new TableEntity(chain, IdempotencyPrefix + idempotencyKey) { ["Sequence"] = entry.Sequence }));
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                return entry;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // 412: another writer moved the head since it was read; 409: another writer created the head, or this key's
                // row exists. The transaction is all or nothing, so an existing key row means its entry exists too.
                if (entry.IdempotencyKey is not null && await FindByIdempotencyKeyAsync(chain, entry.IdempotencyKey, cancellationToken) is { } existing)
                {
                    return existing;
                }

                if (attempt >= MaxAppendAttempts)
                {
                    throw new InvalidOperationException(
                        $"Could not append to audit chain {chain} after {attempt} attempts: other writers kept moving its head, or the chain is damaged (run the verification).",
                        ex);
                }
            }

            // Jittered so writers that collided do not collide again in step. Real time, not the injected clock: this is
            // about contention on storage, and a test's frozen clock must not stall it.
            var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, 5 * Math.Pow(2, Math.Min(attempt, 10)));
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
            var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
#pragma warning restore CA5394
            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>Entries by request, by study, by both, or all, at most <see cref="DefaultLimit"/>; see the overload with a limit.</summary>
    public Task<IReadOnlyList<AuditEntry>> QueryAsync(string? requestId, string? studyId, CancellationToken cancellationToken) =>
        QueryAsync(requestId, studyId, DefaultLimit, after: null, cancellationToken);

    /// <summary>The first <paramref name="limit"/> entries by request, by study, by both, or all; see the overload with <c>after</c>.</summary>
    public Task<IReadOnlyList<AuditEntry>> QueryAsync(string? requestId, string? studyId, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(requestId, studyId, limit, after: null, cancellationToken);

    /// <summary>
    /// Entries by request, by study, by both, or all, at most <paramref name="limit"/>, after the entry whose
    /// <see cref="PageKeyOf"/> is <paramref name="after"/> when given. A study's entries come in chain order; a request's (which
    /// may span chains) by time, then chain, then sequence; with neither filter, chain by chain in chain order. Ids are matched
    /// exactly; values that are no id simply match nothing.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="after"/> is not a key of this query's order.</exception>
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(string? requestId, string? studyId, int limit, string? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var pageSize = Math.Min(limit, MaxLimit);
        if (studyId is null && requestId is not null)
        {
            // Across chains, so order by time; a request has a handful of entries, so reading them all to sort is cheap. Table
            // storage has no index on RequestId: the service scans the table for them, which grows with the log.
            var all = await ReadAsync(TableClient.CreateQueryFilter($"RequestId eq {requestId}"), int.MaxValue, pageSize, cancellationToken);
            return all
                .Select(e => (Key: PageKeyOf(e, acrossChains: true), Entry: e))
                .Where(k => after is null || string.CompareOrdinal(k.Key, after) > 0)
                .OrderBy(k => k.Key, StringComparer.Ordinal)
                .Take(limit)
                .Select(k => k.Entry)
                .ToList();
        }

        // Table queries return rows in partition and row key order: chain, then sequence. A page resumes after its last row.
        var (afterChain, afterRow) = after is null ? (null, null) : ChainPosition(after);
        var requestClause = requestId is null ? string.Empty : TableClient.CreateQueryFilter($" and RequestId eq {requestId}");
        string filter;
        if (studyId is not null)
        {
            var chain = ChainFor(studyId);
            if (afterChain is not null && afterChain != chain)
            {
                throw new FormatException("The continuation is not one of this study's.");
            }

            filter = (afterRow is null
                ? TableClient.CreateQueryFilter($"PartitionKey eq {chain} and RowKey ge {FirstEntryKey} and RowKey le {LastEntryKey}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {chain} and RowKey gt {afterRow} and RowKey le {LastEntryKey}")) + requestClause;
        }
        else
        {
            filter = afterChain is null
                ? TableClient.CreateQueryFilter($"RowKey ge {FirstEntryKey} and RowKey le {LastEntryKey}")
                : TableClient.CreateQueryFilter($"(PartitionKey eq {afterChain} and RowKey gt {afterRow} and RowKey le {LastEntryKey}) or (PartitionKey gt {afterChain} and RowKey ge {FirstEntryKey} and RowKey le {LastEntryKey})");
        }

        // Stop reading at the limit.
        return await ReadAsync(filter, limit, pageSize, cancellationToken);
    }

    /// <summary>
    /// The key a page of <see cref="QueryAsync(string?, string?, int, string?, CancellationToken)"/> resumes after: the chain
    /// and row of <paramref name="entry"/>, led by its time when the query spans chains (by request alone).
    /// </summary>
    public static string PageKeyOf(AuditEntry entry, bool acrossChains)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var position = $"{entry.Chain}|{RowKeyFor(entry.Sequence)}";
        return acrossChains ? $"{Paging.KeysetPaging.Ascending(entry.At)}|{position}" : position;
    }

    private static (string Chain, string Row) ChainPosition(string key)
    {
        var parts = key.Split('|');
        return parts.Length == 2 && parts[1].Length == LastEntryKey.Length && parts[1].All(char.IsAsciiDigit) && parts[0].Length > 0
            ? (parts[0], parts[1])
            : throw new FormatException("The continuation is not one of this query's.");
    }

    /// <summary>
    /// Walks every chain from its first entry and reports the first problem of each (docs/audit.md lists the kinds), and
    /// checks each against its anchors, read first: every anchored position must still hold the entry anchored there. Safe
    /// while others append: entries appended after a chain's head was read are not judged against it.
    /// </summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken = default)
    {
        var checkedAt = time.GetUtcNow();
        var anchored = anchors is null ? new Dictionary<string, IReadOnlyList<AuditAnchor>>() : await anchors.ListAsync(cancellationToken);
        var problems = new List<AuditProblem>();
        var chains = 0;
        long entries = 0;
        ChainWalk? walk = null;
        var walked = new HashSet<string>(StringComparer.Ordinal);

        // One scan of the whole table: rows arrive by partition (chain) and row key, so each chain's entries arrive in
        // sequence order and then its head, and only one chain is held at a time.
        await foreach (var row in table.QueryAsync<TableEntity>(filter: (string?)null, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            if (walk is null || !string.Equals(walk.Chain, row.PartitionKey, StringComparison.Ordinal))
            {
                if (walk is not null)
                {
                    entries += await FinishAsync(walk, problems, cancellationToken);
                }

                walk = new ChainWalk(row.PartitionKey, anchored.GetValueOrDefault(row.PartitionKey) ?? []);
                walked.Add(row.PartitionKey);
                chains++;
            }

            if (row.RowKey == HeadRowKey)
            {
                walk.Head = row;
            }
            else if (IsEntryRowKey(row.RowKey))
            {
                entries++;
                walk.Accept(row);
            }

            // idem| rows only point at entries; the chain does not depend on them.
        }

        if (walk is not null)
        {
            entries += await FinishAsync(walk, problems, cancellationToken);
        }

        // A chain that was anchored and is gone from the table altogether was deleted wholesale.
        foreach (var (chain, lost) in anchored.Where(a => !walked.Contains(a.Key)).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var last = lost.MaxBy(a => a.Sequence)!;
            problems.Add(new AuditProblem(chain, last.Sequence, AuditProblemKind.AnchorMismatch, $"The chain was anchored at entry {last.Sequence} (hash {last.Hash}) on {last.AnchoredAt:O}, but the table holds no row of it: the chain was deleted."));
            chains++;
        }

        return new AuditVerification(problems.Count == 0, chains, entries, problems, checkedAt, anchored.Values.Sum(a => a.Count));
    }

    /// <summary>Completes a chain's walk with its head; returns how many more entries it had to read.</summary>
    private async Task<long> FinishAsync(ChainWalk walk, List<AuditProblem> problems, CancellationToken cancellationToken)
    {
        long reread = 0;
        var headSequence = walk.Head?.GetInt64("LastSequence");
        if (walk.Problem is null && headSequence > walk.LastSequence)
        {
            // The head was read after the entries, so writers may have appended in between: read up to what the head names.
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {walk.Chain} and RowKey gt {RowKeyFor(walk.LastSequence)} and RowKey le {RowKeyFor(headSequence.Value)}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (IsEntryRowKey(row.RowKey))
                {
                    reread++;
                    walk.Accept(row);
                }
            }
        }

        walk.FinishWithHead();
        if (walk.Problem is not null)
        {
            problems.Add(walk.Problem);
        }

        return reread;
    }

    private async Task<List<AuditEntry>> ReadAsync(string filter, int limit, int pageSize, CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken))
        {
            if (!IsEntryRowKey(row.RowKey))
            {
                continue;
            }

            entries.Add(ReadAsStored(row));
            if (entries.Count >= limit)
            {
                break;
            }
        }

        return entries;
    }

    private async Task<AuditEntry?> FindByIdempotencyKeyAsync(string chain, string idempotencyKey, CancellationToken cancellationToken)
    {
        var pointer = await table.GetEntityIfExistsAsync<TableEntity>(chain, IdempotencyPrefix + idempotencyKey, cancellationToken: cancellationToken);
        if (!pointer.HasValue || pointer.Value?.GetInt64("Sequence") is not { } sequence)
        {
            return null;
        }

        var entry = await table.GetEntityIfExistsAsync<TableEntity>(chain, RowKeyFor(sequence), cancellationToken: cancellationToken);
        return entry.HasValue && entry.Value is { } row
            ? ReadAsStored(row)
            : throw new InvalidOperationException($"Audit chain {chain} has an idempotency key for entry {sequence}, but no such entry (run the verification).");
    }

    private static bool IsEntryRowKey(string rowKey) => TryParseEntryRowKey(rowKey, out _);

    private static bool TryParseEntryRowKey(string rowKey, out long sequence)
    {
        sequence = 0;
        return rowKey.Length == 19 && long.TryParse(rowKey, NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private static DateTimeOffset WholeMilliseconds(DateTimeOffset at)
    {
        // Hashed as text and stored as a table DateTime: whole milliseconds survive every store and every reader unchanged.
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    private static TableEntity ToEntity(AuditEntry entry)
    {
        var entity = new TableEntity(entry.Chain, RowKeyFor(entry.Sequence))
        {
            ["Chain"] = entry.Chain,
            ["Sequence"] = entry.Sequence,
            ["At"] = entry.At,
            ["Actor"] = entry.Actor,
            ["Action"] = entry.Action,
            ["PreviousHash"] = entry.PreviousHash,
            ["Hash"] = entry.Hash,
        };
        if (entry.StudyId is not null)
        {
            entity["StudyId"] = entry.StudyId;
        }

        if (entry.RequestId is not null)
        {
            entity["RequestId"] = entry.RequestId;
        }

        if (entry.IdempotencyKey is not null)
        {
            entity["IdempotencyKey"] = entry.IdempotencyKey;
        }

        if (entry.Details.Count > 0)
        {
            entity["Details"] = JsonSerializer.Serialize(entry.Details);
        }

        return entity;
    }

    /// <summary>Reads an entry row as stored, without judging it; throws when a property is absent or of the wrong type.</summary>
    private static AuditEntry FromEntity(TableEntity e)
    {
        var details = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (e.GetString("Details") is { } json)
        {
            foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [])
            {
                details.Add(key, value);
            }
        }

        return new AuditEntry(
            Required(e.GetString("Chain"), "Chain"),
            e.GetInt64("Sequence") ?? throw new FormatException("An audit entry has no Sequence."),
            e.GetDateTimeOffset("At") ?? throw new FormatException("An audit entry has no At."),
            Required(e.GetString("Actor"), "Actor"),
            Required(e.GetString("Action"), "Action"),
            e.GetString("StudyId"),
            e.GetString("RequestId"),
            details,
            e.GetString("IdempotencyKey"),
            Required(e.GetString("PreviousHash"), "PreviousHash"),
            Required(e.GetString("Hash"), "Hash"));
    }

    /// <summary>
    /// Reads an entry row for display. A damaged row is still shown, as far as it can be read, rather than hidden or failing
    /// the whole query: verification is what judges it.
    /// </summary>
    private static AuditEntry ReadAsStored(TableEntity e)
    {
        try
        {
            return FromEntity(e);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException)
        {
            string? Text(string property) =>
                e.TryGetValue(property, out var value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

            var details = new SortedDictionary<string, string>(StringComparer.Ordinal);
            try
            {
                foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(Text("Details") ?? "{}") ?? [])
                {
                    details.Add(key, value);
                }
            }
            catch (JsonException)
            {
                // Shown without details; the stored text is still in the table for whoever investigates.
            }

            return new AuditEntry(
                Text("Chain") ?? e.PartitionKey,
                TryParseEntryRowKey(e.RowKey, out var position) ? position : 0,
                e.TryGetValue("At", out var at) && at is DateTimeOffset when ? when : default,
                Text("Actor") ?? string.Empty,
                Text("Action") ?? string.Empty,
                Text("StudyId"),
                Text("RequestId"),
                details,
                Text("IdempotencyKey"),
                Text("PreviousHash") ?? string.Empty,
                Text("Hash") ?? string.Empty);
        }
    }

    private static string Required(string? value, string property) =>
        value ?? throw new FormatException($"An audit entry has no {property}.");

    private static void Validate(AuditEvent e)
    {
        // Every field must look like an id or a code: this is what keeps names, addresses and free text out of the log.
        // Messages name the field, never its value, which could be the very personal data being kept out.
        Check(IdPattern().IsMatch(e.Actor), "Actor", "a staff principal id, 'participant' or 'system' (letters, digits, '_', '.', ':', '-'; at most 128)");
        Check(ActionPattern().IsMatch(e.Action) && e.Action.Length <= 64, "Action", "a dotted lower-case verb such as 'request.received' (at most 64)");
        Check(e.StudyId is null || StudyIdPattern().IsMatch(e.StudyId), "StudyId", "letters, digits, '-' or '_' (at most 64)");
        Check(e.RequestId is null || IdPattern().IsMatch(e.RequestId), "RequestId", "an id (letters, digits, '_', '.', ':', '-'; at most 128)");
        Check(e.IdempotencyKey is null || KeyPattern().IsMatch(e.IdempotencyKey), "IdempotencyKey", "letters, digits, '_', '.', ':', '-' (at most 200)");
        if (e.Details is null)
        {
            return;
        }

        Check(e.Details.Count <= MaxDetails, "Details", $"at most {MaxDetails} entries");
        foreach (var (key, value) in e.Details)
        {
            Check(key is not null && DetailKeyPattern().IsMatch(key), "Details", "keys of letters, digits, '_', '.', '-' starting with a letter (at most 64)");
            Check(value is not null && DetailValuePattern().IsMatch(value), "Details", "values that are ids, codes, dates or numbers: letters, digits, '_', '.', ':', '/', '+', '-' (1 to 256)");
        }
    }

    private static void Check(bool ok, string field, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"The audit event's {field} must be {rule}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex StudyIdPattern();

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ActionPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DetailKeyPattern();

    [GeneratedRegex("^[A-Za-z0-9_.:/+-]{1,256}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DetailValuePattern();

    /// <summary>One chain being verified: the position and hash of the last good entry, and the first problem found.</summary>
    private sealed class ChainWalk(string chain, IReadOnlyList<AuditAnchor> anchors)
    {
        private readonly ILookup<long, AuditAnchor> anchored = anchors.ToLookup(a => a.Sequence);

        public string Chain { get; } = chain;

        public TableEntity? Head { get; set; }

        public long LastSequence { get; private set; }

        public string LastHash { get; private set; } = AuditHash.Genesis;

        public AuditProblem? Problem { get; private set; }

        public void Accept(TableEntity row)
        {
            if (Problem is not null)
            {
                return;
            }

            if (!TryParseEntryRowKey(row.RowKey, out var position))
            {
                return;
            }

            AuditEntry entry;
            string recomputed;
            try
            {
                entry = FromEntity(row);
                recomputed = AuditHash.Compute(entry);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or JsonException or ArgumentException)
            {
                Fail(position, AuditProblemKind.Tampered, $"Entry {position} cannot be read as an audit entry ({ex.GetType().Name}): a property was changed, removed or retyped.");
                return;
            }

            if (!string.Equals(recomputed, entry.Hash, StringComparison.Ordinal))
            {
                Fail(position, AuditProblemKind.Tampered, $"Entry {position} hashes to {recomputed}, but its stored hash is {entry.Hash}: its content was changed after it was written.");
            }
            else if (entry.Sequence != position || !string.Equals(entry.Chain, Chain, StringComparison.Ordinal))
            {
                Fail(position, AuditProblemKind.Reordered, $"Position {position} holds the intact entry written as {entry.Chain} #{entry.Sequence}: entries were moved or swapped.");
            }
            else if (position != LastSequence + 1)
            {
                Fail(LastSequence + 1, AuditProblemKind.Missing, position == LastSequence + 2
                    ? $"Entry {LastSequence + 1} is missing (the next entry present is {position}): it was deleted."
                    : $"Entries {LastSequence + 1} to {position - 1} are missing (the next entry present is {position}): they were deleted.");
            }
            else if (!string.Equals(entry.PreviousHash, LastHash, StringComparison.Ordinal))
            {
                Fail(position, AuditProblemKind.BrokenLink, position == 1
                    ? $"Entry 1 names previous hash {entry.PreviousHash}, not the genesis value."
                    : $"Entry {position} names previous hash {entry.PreviousHash}, but entry {LastSequence} hashes to {LastHash}: an earlier entry was replaced.");
            }
            else if (anchored[position].FirstOrDefault(a => !string.Equals(a.Hash, entry.Hash, StringComparison.Ordinal)) is { } anchor)
            {
                Fail(position, AuditProblemKind.AnchorMismatch, $"Entry {position} hashes to {entry.Hash}, but the chain was anchored at it with hash {anchor.Hash} on {anchor.AnchoredAt:O}: the chain was rewritten after it was anchored.");
            }
            else
            {
                LastSequence = position;
                LastHash = entry.Hash;
            }
        }

        public void FinishWithHead()
        {
            if (Problem is not null)
            {
                return;
            }

            if (Head is null)
            {
                Fail(LastSequence, AuditProblemKind.HeadMismatch, LastSequence == 0
                    ? "The chain has neither a head row nor entries, only idempotency rows: its entries and head were deleted."
                    : $"The chain has entries up to {LastSequence} but no head row: the head was deleted.");
                return;
            }

            long? headSequence;
            string? headHash;
            try
            {
                headSequence = Head.GetInt64("LastSequence");
                headHash = Head.GetString("LastHash");
            }
            catch (InvalidOperationException)
            {
                headSequence = null;
                headHash = null;
            }

            if (anchors.Where(a => a.Sequence > LastSequence).MaxBy(a => a.Sequence) is { } beyond)
            {
                Fail(beyond.Sequence, AuditProblemKind.AnchorMismatch, $"The chain ends at entry {LastSequence}, but it was anchored at entry {beyond.Sequence} on {beyond.AnchoredAt:O}: entries were deleted and the chain rewritten after it was anchored.");
            }
            else if (headSequence != LastSequence)
            {
                Fail(headSequence ?? LastSequence, AuditProblemKind.HeadMismatch, headSequence is null
                    ? $"The head row names no last entry; the last entry is {LastSequence}."
                    : headSequence > LastSequence
                        ? $"The head names entry {headSequence}, but the last entry is {LastSequence}: the last entries were deleted."
                        : $"The head names entry {headSequence}, but there are entries up to {LastSequence}: entries were added past the head, or the head was rolled back.");
            }
            else if (!string.Equals(headHash, LastHash, StringComparison.Ordinal))
            {
                Fail(LastSequence, AuditProblemKind.HeadMismatch, $"The head names hash {headHash ?? "(none)"} for entry {LastSequence}, which hashes to {LastHash}: the last entry was replaced.");
            }
        }

        private void Fail(long sequence, string kind, string detail) => Problem = new AuditProblem(Chain, sequence, kind, detail);
    }
}
