using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Functions.Mail;
using Compliance.Functions.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Maintenance;

/// <summary>When a workflow counts as stalled (configuration section <c>Watchdog</c>).</summary>
public sealed class WatchdogOptions
{
    public const string SectionName = "Watchdog";

    /// <summary>
    /// How long a workflow may go without a step at a point where it waits for no one before the watchdog restarts it. A
    /// healthy intake or request start takes seconds; a backlog that delays one past this costs a repeat of idempotent steps.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Restarts workflows the engine has left stalled. The Azure Storage backend writes an episode's history before it sends the
/// episode's messages; when that write takes effect but its answer is lost, the engine takes the retry's conflict for a
/// second worker on the instance and drops the episode, messages and all (durabletask#1046). The instance then shows
/// Running and waits for an activity that was never queued. Nothing inside the engine wakes it, so this does, for the
/// workflows whose steps up to that point are idempotent by their ids: it terminates the instance and starts it again under
/// the same id with the same input (an id whose instance has finished may be used again), and the audit log records it. The
/// order holds across a crash: an instance the watchdog terminated and did not start again is started on its next run.
/// </summary>
public sealed class WorkflowWatchdog(AuditLog audit, IOptions<WatchdogOptions> options, TimeProvider time, ILogger<WorkflowWatchdog> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "WatchdogSchedule";

    /// <summary>The reason given to the engine when the watchdog terminates an instance to restart it (its output then).</summary>
    public const string RestartReason = "stalled: restarted by the watchdog";

    private static readonly OrchestrationRuntimeStatus[] Watched =
        [OrchestrationRuntimeStatus.Running, OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Terminated];

    [Function(nameof(RestartStalledWorkflows))]
    public async Task RestartStalledWorkflows(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var restarted = await RestartStalledAsync(durable, cancellationToken);
        logger.LogInformation("Watchdog: restarted {Count} stalled workflows", restarted);
    }

    /// <summary>Restarts every stalled workflow that may be restarted; returns how many it restarted.</summary>
    public async Task<int> RestartStalledAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var stalledBefore = time.GetUtcNow() - options.Value.StalledAfter;
        var restarted = 0;
        var query = new OrchestrationQuery { Statuses = Watched, FetchInputsAndOutputs = true, PageSize = 500 };
        await foreach (var instance in durable.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            var restartable = instance.RuntimeStatus == OrchestrationRuntimeStatus.Terminated
                ? TerminatedByWatchdog(instance)
                : IsStalled(instance, stalledBefore);
            if (restartable && await RestartAsync(durable, instance, cancellationToken))
            {
                restarted++;
            }
        }

        return restarted;
    }

    /// <summary>
    /// Whether a workflow of <paramref name="name"/> found stalled at <paramref name="step"/> (its custom status; null before
    /// it sets one) may be started again from the beginning: only where every step before is idempotent by the workflow's id
    /// and it has taken nothing from outside (an event, a timer) that a new start would not see again.
    /// </summary>
    public static bool MayRestart(string name, string? step) => name switch
    {
        nameof(MailIntakeOrchestration.MailIntake) => MailIntakeOrchestration.MayRestartAt(step),
        nameof(DataSubjectRequestOrchestration.DataSubjectRequest) => DataSubjectRequestOrchestration.MayRestartAt(step),
        _ => false,
    };

    /// <summary>
    /// Whether <paramref name="instance"/> (running or pending) is stalled where the watchdog restarts it: no step since
    /// <paramref name="stalledBefore"/>, at a step <see cref="MayRestart"/> allows.
    /// </summary>
    public static bool IsStalled(OrchestrationMetadata instance, DateTimeOffset stalledBefore)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending
            && instance.LastUpdatedAt < stalledBefore
            && MayRestart(instance.Name, StepOf(instance));
    }

    private static string? StepOf(OrchestrationMetadata instance)
    {
        if (string.IsNullOrEmpty(instance.SerializedCustomStatus))
        {
            return null;
        }

        try
        {
            return instance.ReadCustomStatusAs<RequestWorkflowStatus>()?.Step;
        }
        catch (JsonException)
        {
            // A status of another shape (a sweep's progress) is a step this watchdog does not restart at.
            return "unknown";
        }
    }

    /// <summary>An instance the watchdog terminated but did not start again (the host stopped in between): it is started now.</summary>
    private static bool TerminatedByWatchdog(OrchestrationMetadata instance) =>
        MayRestart(instance.Name, null) && instance.SerializedOutput is { } output && output.Contains(RestartReason, StringComparison.Ordinal);

    private async Task<bool> RestartAsync(DurableTaskClient durable, OrchestrationMetadata instance, CancellationToken cancellationToken)
    {
        var id = instance.InstanceId;
        var step = StepOf(instance) ?? "none";
        var idle = time.GetUtcNow() - instance.LastUpdatedAt;
        if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Terminated)
        {
            await durable.TerminateInstanceAsync(id, new TerminateInstanceOptions { Output = RestartReason }, cancellationToken);
            if (!await TerminatedAsync(durable, id, cancellationToken))
            {
                // The engine has not taken the termination yet; the next run finds the instance terminated and starts it.
                logger.LogWarning("Watchdog: {Name} {InstanceId} is being terminated; it is started again on the next run", instance.Name, id);
                return false;
            }
        }

        await audit.AppendAsync(
            new AuditEvent(AuditActors.System, AuditActions.WorkflowRestarted)
            {
                RequestId = id,
                Details = new Dictionary<string, string>
                {
                    ["workflow"] = instance.Name,
                    ["step"] = step,
                    ["idleMinutes"] = ((long)idle.TotalMinutes).ToString(CultureInfo.InvariantCulture),
                },
                IdempotencyKey = $"{id}:restarted:{instance.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}",
            },
            cancellationToken);
        await durable.ScheduleNewOrchestrationInstanceAsync(instance.Name, instance.ReadInputAs<JsonElement>(), new StartOrchestrationOptions(id), cancellationToken);
        logger.LogWarning("Watchdog: {Name} {InstanceId} had taken no step for {Idle} at {Step}: started again", instance.Name, id, idle, step);
        return true;
    }

    private static async Task<bool> TerminatedAsync(DurableTaskClient durable, string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            if (await durable.GetInstanceAsync(id, getInputsAndOutputs: false, cancellationToken) is { RuntimeStatus: OrchestrationRuntimeStatus.Terminated })
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        return false;
    }
}
