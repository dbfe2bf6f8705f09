using System.ComponentModel.DataAnnotations;
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
/// it needs; the retention sweep purges a study's instances at once when it deletes the study.
/// </summary>
public sealed class HistoryPurge(IOptions<HistoryPurgeOptions> options, TimeProvider time, ILogger<HistoryPurge> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "PurgeHistorySchedule";

    [Function(nameof(PurgeFinishedInstances))]
    public async Task PurgeFinishedInstances(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var createdBefore = time.GetUtcNow().AddDays(-options.Value.PurgeAfterDays);
        var result = await durable.PurgeAllInstancesAsync(
            new PurgeInstancesFilter(
                CreatedFrom: DateTimeOffset.UnixEpoch,
                CreatedTo: createdBefore,
                Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]),
            cancellationToken);
        logger.LogInformation("Purged {Count} finished orchestration instances created before {CreatedBefore}", result.PurgedInstanceCount, createdBefore);
    }
}
