using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;

namespace Compliance.SelfHost.Binding;

/// <summary>
/// Settings of the timers (configuration section <c>SelfHost:Timers</c>). Nodes with one host id share their timers: each
/// timer runs on one of them at a time, and each occurrence of its schedule once among them.
/// </summary>
public sealed class TimerOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "SelfHost:Timers";

    /// <summary>
    /// Whose timers these are, as the Functions host's host id. Unset, the task hub's name in lower case: the nodes of one
    /// task hub are one app, and the hosts of tests, each on a task hub of its own, never take each other's timers.
    /// </summary>
    public string? HostId { get; set; }

    /// <summary>
    /// How long a node's hold on a timer lasts unrenewed (a blob lease: 15 to 60 s); it renews it at half this. A node that
    /// dies keeps its timers this long. The Functions host's listener lock period.
    /// </summary>
    public TimeSpan LockPeriod { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a node that does not hold a timer tries to take it. The Functions host's default.</summary>
    public TimeSpan LockRecoveryPollingInterval { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// What the Functions host keeps so that a timer is a singleton across the instances of an app, in the same places of the
/// same container: a blob lease per timer function (<c>azure-webjobs-hosts/locks/{hostId}/{function}.Listener</c>), held by
/// the one node that runs its schedule, and the schedule's status (<c>timers/{hostId}/{function}/status</c>: the last
/// occurrence run and the next), so that a node taking the timer over neither runs an occurrence again nor forgets one it
/// missed.
/// </summary>
public sealed class TimerLocks(BlobServiceClient blobs, string hostId, TimerOptions options, ILogger logger)
{
    /// <summary>The Functions host's container for its locks and timer statuses.</summary>
    public const string Container = "azure-webjobs-hosts";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(Container);

    public string HostId => hostId;

    /// <summary>The lock blob of <paramref name="function"/>.</summary>
    public static string LockName(string hostId, string function) => $"locks/{hostId}/{function}.Listener";

    /// <summary>The status blob of <paramref name="function"/>'s schedule.</summary>
    public static string StatusName(string hostId, string function) => $"timers/{hostId}/{function}/status";

    /// <summary>Waits until this node holds <paramref name="function"/>'s lock, trying every recovery polling interval.</summary>
    public async Task<HeldTimerLock> AcquireAsync(string function, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(LockName(hostId, function));
        var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
        var waiting = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await lease.AcquireAsync(options.LockPeriod, cancellationToken: cancellationToken);
                return new HeldTimerLock(function, lease, options.LockPeriod, logger);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                await CreateLockBlobAsync(blob, cancellationToken);
                continue;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another node holds it.
                if (!waiting)
                {
                    logger.LogInformation("Timer function {FunctionName} runs on another node; this one takes it over if that node stops renewing", function);
                    waiting = true;
                }
            }
            catch (RequestFailedException ex)
            {
                logger.LogWarning(ex, "Timer function {FunctionName}: the lock could not be taken; trying again", function);
            }

            await Task.Delay(options.LockRecoveryPollingInterval, TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>The schedule's status as the last node to run it left it; null before its first run.</summary>
    public async Task<TimerScheduleStatus?> GetStatusAsync(string function, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(StatusName(hostId, function)).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<TimerScheduleStatus>(Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "Timer function {FunctionName}: its schedule status is unreadable; starting afresh", function);
            return null;
        }
    }

    public async Task SetStatusAsync(string function, TimerScheduleStatus status, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(StatusName(hostId, function));
        await blob.UploadAsync(BinaryData.FromObjectAsJson(status, Json), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, cancellationToken);
    }

    private async Task CreateLockBlobAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another node made it first (and may hold it already).
        }
    }
}

/// <summary>A timer's schedule status, as the Functions host stores it: the last occurrence run, the next, and when it was written.</summary>
public sealed record TimerScheduleStatus(DateTime Last, DateTime Next, DateTime LastUpdated);

/// <summary>
/// A timer lock this node holds, renewed at half its period until it is disposed (released) or lost. <see cref="Lost"/> is
/// cancelled when a renewal is refused, or when none has succeeded for a whole period: another node may hold it by then.
/// </summary>
public sealed class HeldTimerLock : IAsyncDisposable
{
    private readonly string function;
    private readonly BlobLeaseClient lease;
    private readonly TimeSpan period;
    private readonly ILogger logger;
    private readonly CancellationTokenSource lost = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task renewing;

    internal HeldTimerLock(string function, BlobLeaseClient lease, TimeSpan period, ILogger logger)
    {
        this.function = function;
        this.lease = lease;
        this.period = period;
        this.logger = logger;
        renewing = RenewAsync();
    }

    public CancellationToken Lost => lost.Token;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await renewing;
        if (!lost.IsCancellationRequested)
        {
            try
            {
                // Released, so another node takes the timer at its next try rather than after the lease runs out.
                await lease.ReleaseAsync();
            }
            catch (RequestFailedException ex)
            {
                logger.LogWarning(ex, "Timer function {FunctionName}: the lock could not be released; it lapses on its own", function);
            }
        }

        lost.Dispose();
        stop.Dispose();
    }

    /// <summary>
    /// Whether this node may act as the holder now: not lost, and renewed (or taken) less than a period ago, less a margin for
    /// the clocks of this node and storage.
    /// </summary>
    public bool IsHeld => !lost.IsCancellationRequested && TimeProvider.System.GetElapsedTime(Interlocked.Read(ref renewedAt)) < period * 0.9;

    private long renewedAt = TimeProvider.System.GetTimestamp();

    private async Task RenewAsync()
    {
        var wait = period / 2;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(wait, TimeProvider.System, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var attempt = TimeProvider.System.GetTimestamp();
            try
            {
                await lease.RenewAsync(cancellationToken: stop.Token);
                Interlocked.Exchange(ref renewedAt, attempt);
                wait = period / 2;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
            {
                logger.LogWarning("Timer function {FunctionName}: the lock was lost ({Status}); this node stops running it", function, ex.Status);
                await lost.CancelAsync();
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TimeoutException or OperationCanceledException)
            {
                if (!IsHeld)
                {
                    logger.LogWarning(ex, "Timer function {FunctionName}: the lock could not be renewed within its period; this node stops running it", function);
                    await lost.CancelAsync();
                    return;
                }

                // Soon again, while the lease still runs.
                wait = TimeSpan.FromSeconds(1);
            }
        }
    }
}
