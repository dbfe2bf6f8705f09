using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Functions.Mail.Graph;
using Compliance.Functions.Maintenance;
using Compliance.Functions.Retention;
using Compliance.Mail;
using Compliance.Policies;
using Compliance.Storage;
using Compliance.Suppliers;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Health;

/// <summary>The states of a check, best first; a report's status is its worst check's.</summary>
public static class HealthState
{
    public const string Ok = "ok";

    /// <summary>The check does not apply here (the Graph connector is not configured).</summary>
    public const string Off = "off";

    /// <summary>Working, but a person should look (an email failed, a contract lapses soon, a workflow stalled).</summary>
    public const string Warning = "warning";

    /// <summary>Not working (storage unreachable, the engine not answering, a contract lapsed, a subscription expired).</summary>
    public const string Failed = "failed";

    public static string Worst(IEnumerable<string> states) =>
        states.Contains(Failed) ? Failed : states.Contains(Warning) ? Warning : Ok;
}

/// <summary>One check: its name, its state and why, in ids, counts and times only (never an address or a name).</summary>
public sealed record HealthCheck(string Name, string State, string Reason);

/// <summary>The answer of <c>GET /api/health/details</c>: the worst state, when it was checked, and each check.</summary>
public sealed record HealthReport(string Status, DateTimeOffset CheckedAt, IReadOnlyList<HealthCheck> Checks);

/// <summary>
/// What an operator needs to know is working, each checked on demand: storage, the engine and its backlog, the outbox, the
/// Graph subscription, the retention sweeps and the supplier contracts. A check that throws is <see cref="HealthState.Failed"/>
/// with the error's type or status code as its reason, never its message (which can hold a blob name or a URL).
/// </summary>
public sealed class HealthChecks(
    BlobServiceClient blobs,
    TableServiceClient tables,
    GraphConnectorState graph,
    SupplierStore suppliers,
    SupplierContracts contracts,
    IOptions<GraphOptions> graphOptions,
    IOptions<WatchdogOptions> watchdog,
    IConfiguration configuration,
    TimeProvider time)
{
    /// <summary>How long an email may wait to be sent before the outbox check warns.</summary>
    public static readonly TimeSpan PendingEmailWarnAfter = TimeSpan.FromMinutes(15);

    /// <summary>How long a workflow may wait to start before the engine check warns (a backlog).</summary>
    public static readonly TimeSpan PendingWorkflowWarnAfter = TimeSpan.FromMinutes(5);

    /// <summary>How long a check may take before it counts as failed (storage that does not answer makes the SDK retry).</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How far ahead a lapsing supplier contract is reported.</summary>
    public static readonly TimeSpan ContractsWithin = TimeSpan.FromDays(30);

    /// <summary>The check names, in the order they are reported.</summary>
    public static readonly IReadOnlyList<string> Names = ["storage", "engine", "outbox", "graph-subscription", "retention-sweeps", "supplier-contracts"];

    /// <summary>Whether storage answers: the anonymous <c>GET /api/health</c> is this and nothing more.</summary>
    public async Task<bool> StorageReachableAsync(CancellationToken cancellationToken) =>
        (await CheckAsync("storage", () => StorageAsync(cancellationToken))).State == HealthState.Ok;

    /// <summary>Every check, run at once.</summary>
    public async Task<HealthReport> RunAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var checks = await Task.WhenAll(
            CheckAsync("storage", () => StorageAsync(cancellationToken)),
            CheckAsync("engine", () => EngineAsync(durable, cancellationToken)),
            CheckAsync("outbox", () => OutboxAsync(cancellationToken)),
            CheckAsync("graph-subscription", () => GraphSubscriptionAsync(cancellationToken)),
            CheckAsync("retention-sweeps", () => SweepsAsync(durable, cancellationToken)),
            CheckAsync("supplier-contracts", () => ContractsAsync(cancellationToken)));
        return new HealthReport(HealthState.Worst(checks.Select(c => c.State)), time.GetUtcNow(), checks);
    }

    private static async Task<HealthCheck> CheckAsync(string name, Func<Task<(string State, string Reason)>> check)
    {
        try
        {
            using var timeout = new CancellationTokenSource(CheckTimeout);
            var (state, reason) = await check().WaitAsync(timeout.Token);
            return new HealthCheck(name, state, reason);
        }
        catch (RequestFailedException failed)
        {
            return new HealthCheck(name, HealthState.Failed, $"storage answered {failed.Status} {failed.ErrorCode}".TrimEnd());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new HealthCheck(name, HealthState.Failed, $"the check failed: {ex.GetType().Name}");
        }
    }

    private async Task<(string, string)> StorageAsync(CancellationToken cancellationToken)
    {
        await blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox).GetPropertiesAsync(cancellationToken: cancellationToken);
        await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1).WithCancellation(cancellationToken))
        {
            break;
        }

        return (HealthState.Ok, "blob and table storage answer");
    }

    /// <summary>The engine answers its status queries; workflows waiting to start, and stalled ones the watchdog will restart.</summary>
    private async Task<(string, string)> EngineAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pending = 0;
        DateTimeOffset? oldestPending = null;
        var stalled = 0;
        var query = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running], FetchInputsAndOutputs = true, PageSize = 500 };
        await foreach (var instance in durable.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Pending)
            {
                pending++;
                oldestPending = oldestPending is { } o && o < instance.CreatedAt ? o : instance.CreatedAt;
            }

            if (WorkflowWatchdog.IsStalled(instance, now - watchdog.Value.StalledAfter) || WorkflowWatchdog.StalledCallOf(instance, now - watchdog.Value.StalledAfter) is not null)
            {
                stalled++;
            }
        }

        var waited = oldestPending is { } oldest ? now - oldest : TimeSpan.Zero;
        var reason = $"{pending} workflows waiting to start (the oldest for {Minutes(waited)} min); {stalled} stalled, to be restarted or resumed by the watchdog";
        return (waited > PendingWorkflowWarnAfter || stalled > 0 ? HealthState.Warning : HealthState.Ok, reason);
    }

    /// <summary>The oldest email waiting to be sent, and the emails that failed their last attempt (the DPO resends them).</summary>
    private async Task<(string, string)> OutboxAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pending = 0;
        var failed = 0;
        DateTimeOffset? oldest = null;
        var container = blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox);
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken))
        {
            var state = OutboxMetadata.StateOf(new Dictionary<string, string>(blob.Metadata, StringComparer.OrdinalIgnoreCase));
            if (state == OutboxMetadata.Failed)
            {
                failed++;
            }
            else if (state is OutboxMetadata.Pending or OutboxMetadata.Sending)
            {
                pending++;
                var created = blob.Properties.CreatedOn ?? now;
                oldest = oldest is { } o && o < created ? o : created;
            }
        }

        var waited = oldest is { } first ? now - first : TimeSpan.Zero;
        var reason = $"{pending} emails waiting (the oldest for {Minutes(waited)} min); {failed} failed";
        var state2 = failed > 0 || waited > PendingEmailWarnAfter ? HealthState.Warning : HealthState.Ok;
        return (state2, reason);
    }

    /// <summary>The Graph change-notification subscription's expiry, when the mailbox connector is configured to subscribe.</summary>
    private async Task<(string, string)> GraphSubscriptionAsync(CancellationToken cancellationToken)
    {
        if (!graphOptions.Value.CanSubscribe)
        {
            return (HealthState.Off, "the Graph mailbox connector is not configured to subscribe");
        }

        var now = time.GetUtcNow();
        if (await graph.GetSubscriptionAsync(cancellationToken) is not { } subscription)
        {
            return (HealthState.Failed, "no subscription: new mail arrives only by the delta catch-up");
        }

        var left = subscription.ExpiresAt - now;
        var reason = string.Create(CultureInfo.InvariantCulture, $"subscription {subscription.SubscriptionId} expires {subscription.ExpiresAt:O} (in {left.TotalHours:0} h)");
        var state = left <= TimeSpan.Zero ? HealthState.Failed
            : left < Mail.Graph.GraphSubscriptionTimer.RenewWithin / 2 ? HealthState.Warning
            : HealthState.Ok;
        return (state, reason);
    }

    /// <summary>When the sweep timer next runs, the sweeps waiting for suppliers' confirmations, and any that failed.</summary>
    private async Task<(string, string)> SweepsAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var waiting = new List<string>();
        var failed = new List<string>();
        var query = new OrchestrationQuery
        {
            InstanceIdPrefix = RetentionSweepOrchestration.InstanceIdPrefix,
            Statuses = [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Failed],
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        await foreach (var instance in durable.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Failed)
            {
                failed.Add(instance.InstanceId);
            }
            else if (instance.SerializedCustomStatus?.Contains(RetentionSweepOrchestration.AwaitingSuppliers, StringComparison.Ordinal) == true)
            {
                waiting.Add(instance.InstanceId);
            }
        }

        var next = TimerSchedules.NextRun(configuration, RetentionSweepTimerSetting, time.GetUtcNow());
        var reason = $"next run {(next is { } n ? n.ToString("O", CultureInfo.InvariantCulture) : "not scheduled")}; "
            + $"{waiting.Count} waiting for suppliers{List(waiting)}; {failed.Count} failed{List(failed)}";
        var state = failed.Count > 0 ? HealthState.Failed : waiting.Count > 0 || next is null ? HealthState.Warning : HealthState.Ok;
        return (state, reason);
    }

    /// <summary>Approved suppliers whose contract lapses within <see cref="ContractsWithin"/>, and those whose contract has lapsed.</summary>
    private async Task<(string, string)> ContractsAsync(CancellationToken cancellationToken)
    {
        var today = UkTime.DateOf(time.GetUtcNow());
        var horizon = UkTime.DateOf(time.GetUtcNow() + ContractsWithin);
        var policies = await contracts.PoliciesAsync(cancellationToken);
        var lapsing = new List<string>();
        var lapsed = new List<string>();
        foreach (var supplier in (await suppliers.ListAsync(cancellationToken)).Where(s => s.Approved))
        {
            var standing = SupplierContracts.Evaluate(supplier, policies, today);
            if (standing.Refusal == SupplierContracts.Lapsed)
            {
                lapsed.Add(supplier.SupplierId);
            }
            else if (standing.LapsesOn is { } lapses && lapses <= horizon)
            {
                lapsing.Add($"{supplier.SupplierId} on {lapses:yyyy-MM-dd}");
            }
        }

        var reason = $"{lapsing.Count} contracts lapse within {ContractsWithin.TotalDays:0} days{List(lapsing)}; {lapsed.Count} lapsed, access suspended{List(lapsed)}";
        return (lapsing.Count + lapsed.Count > 0 ? HealthState.Warning : HealthState.Ok, reason);
    }

    private const string RetentionSweepTimerSetting = "RetentionSweepSchedule";

    private static string List(List<string> ids) => ids.Count == 0 ? string.Empty : $" ({string.Join(", ", ids.Take(10))})";

    private static string Minutes(TimeSpan span) => Math.Max(0, (long)span.TotalMinutes).ToString(CultureInfo.InvariantCulture);
}
