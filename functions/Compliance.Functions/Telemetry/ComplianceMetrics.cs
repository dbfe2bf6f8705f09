using System.Diagnostics.Metrics;
using Compliance.Telemetry;

namespace Compliance.Functions.Telemetry;

/// <summary>
/// The meter <see cref="ComplianceTelemetry.Name"/> and its instruments (docs/operations.md#metrics; alert rules in Azure
/// read them by these names as Application Insights custom metrics). Gauges report <see cref="OperationsSnapshot"/>'s
/// cached reading, broken down by study id only; counters are added to where the work is done, and since activities run at
/// least once, a retried step can count twice.
/// </summary>
public sealed class ComplianceMetrics
{
    public const string RequestsOpen = "compliance.requests.open";
    public const string RequestsOverdue = "compliance.requests.overdue";
    public const string RequestsDaysToDeadline = "compliance.requests.days_to_deadline";
    public const string OutboxPending = "compliance.outbox.pending";
    public const string OutboxFailed = "compliance.outbox.failed";
    public const string IntakeOutcomes = "compliance.intake.outcomes";
    public const string SweepDeleted = "compliance.sweep.deleted";
    public const string SweepLeft = "compliance.sweep.left";
    public const string SweepFailed = "compliance.sweep.failed";
    public const string SweepWaiting = "compliance.sweep.waiting";
    public const string SuppliersLapsing = "compliance.suppliers.lapsing";
    public const string GraphSubscriptionExpiresInHours = "compliance.graph.subscription.expires_in_hours";

    /// <summary>The attribute of <see cref="IntakeOutcomes"/>: what intake did with a message.</summary>
    public const string ActionTag = "compliance.action";

    private readonly Counter<long> intakeOutcomes;
    private readonly Counter<long> sweepDeleted;
    private readonly Counter<long> sweepLeft;
    private readonly Counter<long> sweepFailed;
    private readonly IReadOnlyList<ObservableInstrument<long>> countGauges;
    private readonly ObservableGauge<double> graphExpiry;

    public ComplianceMetrics(IMeterFactory meters, OperationsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(meters);
        ArgumentNullException.ThrowIfNull(snapshot);
        Meter = meters.Create(ComplianceTelemetry.Name);
        intakeOutcomes = Meter.CreateCounter<long>(IntakeOutcomes, "{message}", "Inbound emails by what intake decided to do with each (compliance.action: quarantine, ignore, reply, new-requests, triage).");
        sweepDeleted = Meter.CreateCounter<long>(SweepDeleted, "{item}", "Items (blobs, their versions and snapshots) retention sweeps deleted, counted when a sweep's certificate is written.");
        sweepLeft = Meter.CreateCounter<long>(SweepLeft, "{blob}", "Blobs due for deletion that retention sweeps left in place because a hold covers them.");
        sweepFailed = Meter.CreateCounter<long>(SweepFailed, "{item}", "Items a retention sweep planned to delete that were still there when its certificate was written (should stay 0).");

        IEnumerable<Measurement<long>> ByStudy(Func<StudyReading, long> value) =>
            snapshot.Current.Studies.Select(s => new Measurement<long>(value(s), new KeyValuePair<string, object?>(TelemetryTags.StudyId, s.StudyId)));

        IEnumerable<Measurement<long>> WithoutStudy(long value) => value > 0 ? [new Measurement<long>(value)] : [];

        countGauges =
        [
            Meter.CreateObservableGauge(RequestsOpen, () => ByStudy(s => s.Open), "{request}", "Requests not yet closed (completed, refused, closed unverified or duplicate), by study."),
            Meter.CreateObservableGauge(RequestsOverdue, () => ByStudy(s => s.Overdue), "{request}", "Open requests whose due date (the extended one where there is one) has passed, by study."),
            Meter.CreateObservableGauge(
                RequestsDaysToDeadline,
                () => snapshot.Current.Studies.Where(s => s.DaysToDeadline is not null)
                    .Select(s => new Measurement<long>(s.DaysToDeadline!.Value, new KeyValuePair<string, object?>(TelemetryTags.StudyId, s.StudyId))),
                "d",
                "Days from today to the soonest due date among the study's open requests; negative once it has passed."),
            Meter.CreateObservableGauge(OutboxPending, () => ByStudy(s => s.OutboxPending).Concat(WithoutStudy(snapshot.Current.OutboxPendingWithoutStudy)), "{email}", "Emails in the outbox not yet sent (pending or being sent), by study; a supplier's emails without one."),
            Meter.CreateObservableGauge(OutboxFailed, () => ByStudy(s => s.OutboxFailed).Concat(WithoutStudy(snapshot.Current.OutboxFailedWithoutStudy)), "{email}", "Emails whose last allowed attempt failed, waiting for the DPO's resend, by study."),
            Meter.CreateObservableGauge(SweepWaiting, () => ByStudy(s => s.SweepWaiting), "{confirmation}", "Suppliers' deletion confirmations a retention sweep still waits for past the policy's confirmDeletionWithin, by study."),
            Meter.CreateObservableGauge<long>(SuppliersLapsing, () => [new Measurement<long>(snapshot.Current.SuppliersLapsing)], "{supplier}", "Suppliers whose contract is in its warning period: still current, lapsing within the policy's suppliers.warnBefore."),
        ];
        graphExpiry = Meter.CreateObservableGauge<double>(
            GraphSubscriptionExpiresInHours,
            () => snapshot.Current.GraphSubscriptionExpiresInHours is { } hours ? [new Measurement<double>(hours)] : Array.Empty<Measurement<double>>(),
            "h",
            "Hours until the research mailbox's Graph change-notification subscription expires (reported only where one is configured).");
    }

    /// <summary>The meter, made by the host's <see cref="IMeterFactory"/> (a test tells one host's instruments from another's by it).</summary>
    public Meter Meter { get; }

    /// <summary>Whether anything collects the gauges, so that reading storage for them is worth it.</summary>
    public bool GaugesObserved => graphExpiry.Enabled || countGauges.Any(g => g.Enabled);

    /// <summary>Counts what intake decided for one message.</summary>
    public void IntakeOutcome(string action) => intakeOutcomes.Add(1, new KeyValuePair<string, object?>(ActionTag, action));

    /// <summary>Counts what a finished sweep did, as its certificate states it.</summary>
    public void SweepCertified(string studyId, int deleted, int left, int stillPresent)
    {
        var study = new KeyValuePair<string, object?>(TelemetryTags.StudyId, studyId);
        sweepDeleted.Add(deleted, study);
        sweepLeft.Add(left, study);
        sweepFailed.Add(stillPresent, study);
    }
}
