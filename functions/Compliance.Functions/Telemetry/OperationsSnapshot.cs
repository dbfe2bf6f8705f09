using Compliance.Functions.Mail.Graph;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Suppliers;
using Compliance.Tasks;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Telemetry;

/// <summary>
/// What the gauges report for one study at the time of a reading; <see cref="DaysToDeadline"/> is the days from today to the
/// soonest due date of its open requests (negative once passed), null with none due.
/// </summary>
public sealed record StudyReading(string StudyId, int Open, int Overdue, int? DaysToDeadline, int OutboxPending, int OutboxFailed, int SweepWaiting);

/// <summary>
/// One reading of the state the gauges report: per study, and what belongs to no study (a supplier's emails). Counts and
/// ids only.
/// </summary>
public sealed record OperationsReading(
    DateTimeOffset TakenAt,
    IReadOnlyList<StudyReading> Studies,
    int OutboxPendingWithoutStudy,
    int OutboxFailedWithoutStudy,
    int SuppliersLapsing,
    double? GraphSubscriptionExpiresInHours)
{
    /// <summary>Before the first reading: nothing to report.</summary>
    public static OperationsReading None { get; } = new(DateTimeOffset.MinValue, [], 0, 0, 0, null);
}

/// <summary>
/// The gauges' cached reading of storage (<see cref="ComplianceMetrics"/>): the gauges report <see cref="Current"/> and
/// never read storage themselves; <see cref="OperationsSnapshotRefresher"/> takes a new reading at most once a
/// <see cref="TelemetryOptions.MetricsRefreshInterval"/>, and only while something collects the gauges. A reading is a
/// handful of queries: every request's row, one listing of the outbox, the open tasks, the suppliers and the studies'
/// policies, and the Graph subscription's row.
/// </summary>
public sealed class OperationsSnapshot(
    RequestStore requests,
    RequestLists lists,
    StudyStore studies,
    Outbox outbox,
    TaskStore tasks,
    SupplierStore suppliers,
    SupplierContracts contracts,
    GraphConnectorState graph,
    IOptions<GraphOptions> graphOptions,
    TimeProvider time)
{
    private volatile OperationsReading current = OperationsReading.None;

    /// <summary>The latest reading (<see cref="OperationsReading.None"/> before the first).</summary>
    public OperationsReading Current => current;

    /// <summary>Takes a new reading and makes it <see cref="Current"/>.</summary>
    public async Task<OperationsReading> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var today = UkTime.DateOf(now);
        var allRequests = await requests.ListAsync(null, null, cancellationToken);
        var studyOfRequest = allRequests.ToDictionary(r => r.RequestId, r => r.StudyId, StringComparer.Ordinal);
        var open = allRequests.Where(r => RequestStatus.IsOpen(r.Status)).ToLookup(r => r.StudyId, StringComparer.Ordinal);

        var (pending, failed) = (new Dictionary<string, int>(StringComparer.Ordinal), new Dictionary<string, int>(StringComparer.Ordinal));
        var (pendingWithoutStudy, failedWithoutStudy) = (0, 0);
        foreach (var (_, metadata) in await outbox.ListWithMetadataAsync(cancellationToken))
        {
            var state = OutboxMetadata.StateOf(metadata);
            var isPending = state is OutboxMetadata.Pending or OutboxMetadata.Sending;
            if (!isPending && state != OutboxMetadata.Failed)
            {
                continue;
            }

            var study = metadata.GetValueOrDefault("studyId")
                ?? (metadata.GetValueOrDefault(OutboxMetadata.RequestId) is { } requestId ? studyOfRequest.GetValueOrDefault(requestId) : null);
            if (study is null)
            {
                _ = isPending ? pendingWithoutStudy++ : failedWithoutStudy++;
            }
            else
            {
                var counts = isPending ? pending : failed;
                counts[study] = counts.GetValueOrDefault(study) + 1;
            }
        }

        var waiting = (await tasks.ListAsync(TaskStore.Open, null, cancellationToken))
            .Where(t => t.Kind == TaskKind.SupplierConfirmation && t.Workflow.Kind == WorkflowKind.RetentionSweep && t.DueAt <= now)
            .CountBy(t => t.StudyId)
            .ToDictionary(StringComparer.Ordinal);

        var studyIds = (await studies.ListStudiesAsync(cancellationToken)).Select(s => s.StudyId)
            .Concat(open.Select(g => g.Key)).Concat(pending.Keys).Concat(failed.Keys).Concat(waiting.Keys)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var readings = studyIds.Select(id => new StudyReading(
            id,
            open[id].Count(),
            open[id].Count(r => lists.DueStateOf(r, today) == DueState.Overdue),
            open[id].Select(r => r.ExtendedTo ?? r.DueDate).Where(d => d is not null).Select(d => d!.Value.DayNumber - today.DayNumber).Order().Cast<int?>().FirstOrDefault(),
            pending.GetValueOrDefault(id),
            failed.GetValueOrDefault(id),
            waiting.GetValueOrDefault(id))).ToList();

        var supplierPolicies = await contracts.PoliciesAsync(cancellationToken);
        var lapsing = (await suppliers.ListAsync(cancellationToken))
            .Select(s => SupplierContracts.Evaluate(s, supplierPolicies, today))
            .Count(standing => standing.IsCurrent && standing.WarnFrom is { } warnFrom && warnFrom <= today);

        double? expiresInHours = graphOptions.Value.CanSubscribe && await graph.GetSubscriptionAsync(cancellationToken) is { } subscription
            ? (subscription.ExpiresAt - now).TotalHours
            : null;

        var reading = new OperationsReading(now, readings, pendingWithoutStudy, failedWithoutStudy, lapsing, expiresInHours);
        current = reading;
        return reading;
    }
}
