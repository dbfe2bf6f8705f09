using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Compliance.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.RateLimits;

/// <summary>
/// Counts requests per rule and key in Table storage, so that every instance of the app shares one count. A row per
/// (rule, key) holds the current fixed window: its start (the first request counted), its count, and when it ends. The
/// first request after the end starts a new window in the same row, overwriting the old one; rows of keys that are not seen
/// again are deleted once their window has ended (<see cref="PurgeEndedAsync"/>, hourly). Every write is conditional on the
/// row's ETag and retried a few times, so two instances never lose a count. A refused request writes nothing.
/// </summary>
/// <remarks>
/// Failure mode: a storage fault or a timeout lets the request through, with a warning logged. A rate limit is a brake on
/// abuse, not a guard of data; refusing every participant while storage is unwell would be worse. A row still contended
/// after every retry means one key is being hammered at that moment, and that request is refused.
/// </remarks>
public sealed class RateLimiter(
    TableServiceClient tables,
    RateLimitKeyHasher hasher,
    TimeProvider time,
    IOptions<RateLimitOptions> options,
    ILogger<RateLimiter> logger)
{
    /// <summary>The one row key of a (rule, key) partition: its current window.</summary>
    public const string WindowRowKey = "window";

    private const int MaxAttempts = 8;
    private const string StartColumn = "WindowStart";
    private const string CountColumn = "Count";
    private const string EndColumn = "WindowEnd";

    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.RateLimits);

    /// <summary>
    /// Counts one request of <paramref name="key"/> (from <see cref="RateLimitKeys"/>) under <paramref name="rule"/>, or refuses it
    /// when the rule's limit has been reached in the current window. Never throws for storage: it lets the request through.
    /// </summary>
    public async Task<RateLimitDecision> CheckAsync(RateLimitRule rule, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (rule.IsOff)
        {
            return RateLimitDecision.Allow;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.StorageTimeout);
        try
        {
            var partition = $"{rule.Name}-{await hasher.HashAsync(key, timeout.Token)}";
            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                if (await TryCountAsync(rule, partition, timeout.Token) is { } decision)
                {
                    if (!decision.Allowed)
                    {
                        logger.LogInformation("Rate limit {Rule} refused a request for {RetryAfterSeconds} s", rule.Name, decision.RetryAfterSeconds);
                    }

                    return decision;
                }

                // Another instance wrote the row in between: read it again, after a short, jittered pause.
                await Task.Delay(TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(5, 25) * attempt), timeout.Token);
            }

            logger.LogWarning("Rate limit {Rule} stayed contended after {Attempts} attempts; the request is refused", rule.Name, MaxAttempts);
            return RateLimitDecision.Refuse(TimeSpan.FromSeconds(1));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Rate limit {Rule} could not be checked; the request is let through", rule.Name);
            return RateLimitDecision.Allow;
        }
    }

    /// <summary>Deletes the rows whose window has ended; a row renewed meanwhile (its ETag changed) is kept. Returns how many went.</summary>
    public async Task<int> PurgeEndedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var purged = 0;
        // The column's name is written out: every hole in the filter's template is quoted as a value.
        var filter = TableClient.CreateQueryFilter($"WindowEnd lt {now}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", EndColumn], cancellationToken: cancellationToken))
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken);
                purged++;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Gone already, or a new window began in it since the query: either way it is not to be deleted now.
            }
        }

        return purged;
    }

    /// <summary>The decision, or null when another writer changed the row first and the count must be tried again.</summary>
    private async Task<RateLimitDecision?> TryCountAsync(RateLimitRule rule, string partition, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, WindowRowKey, cancellationToken: cancellationToken);
        try
        {
            if (!found.HasValue || found.Value is not { } row)
            {
                await table.AddEntityAsync(Window(partition, now, 1, rule), cancellationToken);
                return RateLimitDecision.Allow;
            }

            var start = row.GetDateTimeOffset(StartColumn) ?? DateTimeOffset.MinValue;
            var count = row.GetInt32(CountColumn) ?? 0;
            var end = start + rule.Window;
            if (now < end && count >= rule.Limit)
            {
                return RateLimitDecision.Refuse(end - now);
            }

            var next = now >= end ? Window(partition, now, 1, rule) : Window(partition, start, count + 1, rule);
            await table.UpdateEntityAsync(next, row.ETag, TableUpdateMode.Replace, cancellationToken);
            return RateLimitDecision.Allow;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return null;
        }
    }

    private static TableEntity Window(string partition, DateTimeOffset start, int count, RateLimitRule rule) => new(partition, WindowRowKey)
    {
        [StartColumn] = start,
        [CountColumn] = count,
        [EndColumn] = start + rule.Window,
    };
}
