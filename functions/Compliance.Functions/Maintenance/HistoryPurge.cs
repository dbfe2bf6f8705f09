using System.ComponentModel.DataAnnotations;
using Compliance.Policies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Maintenance;

/// <summary>How long finished orchestration histories are kept (configuration section <c>HistoryPurge</c>).</summary>
public sealed class HistoryPurgeOptions
{
    public const string SectionName = "HistoryPurge";

    /// <summary>Days after which completed, failed and terminated instances are purged from the task hub.</summary>
    [Range(1, 3650)]
    public int PurgeAfterDays { get; set; } = 30;
}

/// <summary>
/// Purges finished orchestration histories from the task hub. They hold ids only, but the product keeps nothing longer than
/// it needs. A request's workflow is purged once its study policy's <c>history.purgeCompletedAfter</c> has passed since it
/// finished; any other instance (or a request whose study is gone) after <see cref="HistoryPurgeOptions.PurgeAfterDays"/>.
/// </summary>
public sealed class HistoryPurge(
    Compliance.Requests.RequestStore requests,
    Compliance.Studies.StudyPolicies policies,
    IOptions<HistoryPurgeOptions> options,
    TimeProvider time,
    ILogger<HistoryPurge> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "PurgeHistorySchedule";

    private static readonly OrchestrationRuntimeStatus[] Finished =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    [Function(nameof(PurgeFinishedInstances))]
    public async Task PurgeFinishedInstances(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var now = time.GetUtcNow();
        var periods = new Dictionary<string, Period?>(StringComparer.Ordinal);
        var purged = 0;
        await foreach (var instance in durable.GetAllInstancesAsync(new OrchestrationQuery { Statuses = Finished, PageSize = 500 }).WithCancellation(cancellationToken))
        {
            var keepFor = await KeepForAsync(instance.InstanceId, periods, cancellationToken) ?? new Period(options.Value.PurgeAfterDays, PeriodUnit.Days);
            if (keepFor.AddTo(instance.LastUpdatedAt.UtcDateTime) <= now.UtcDateTime)
            {
                purged += (await durable.PurgeInstanceAsync(instance.InstanceId, null, cancellationToken)).PurgedInstanceCount;
            }
        }

        logger.LogInformation("Purged {Count} finished orchestration instances", purged);
    }

    /// <summary>How long a request's finished workflow is kept, from its study's policy; null for anything else.</summary>
    private async Task<Period?> KeepForAsync(string instanceId, Dictionary<string, Period?> byStudy, CancellationToken cancellationToken)
    {
        if (!Compliance.Requests.RequestId.IsWellFormed(instanceId) || await requests.FindAsync(instanceId, cancellationToken) is not { } request)
        {
            return null;
        }

        if (!byStudy.TryGetValue(request.StudyId, out var period))
        {
            var study = await policies.FindAsync(request.StudyId, cancellationToken);
            period = study?.Policy.History.PurgeCompletedAfter;
            byStudy[request.StudyId] = period;
        }

        return period;
    }
}
