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
/// A request workflow stalled later, on an activity its custom status names (<see cref="RequestWorkflowStatus.Call"/>), is
/// not restarted (a new start would not see the events it has taken): it is asked to schedule that activity again.
/// </summary>
public sealed class WorkflowWatchdog(AuditLog audit, IOptions<WatchdogOptions> options, TimeProvider time, ILogger<WorkflowWatchdog> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "WatchdogSchedule";

    /// <summary>The reason given when the watchdog ends a request workflow whose work is done but whose lost activity call stays open.</summary>
    public const string FinishedReason = "finished: its work is done; a lost activity call it scheduled again stayed open";

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

    /// <summary>Restarts every stalled workflow that may be restarted, and has every request workflow stalled on an activity schedule it again; returns how many.</summary>
    public async Task<int> RestartStalledAsync(DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(durable);
        var stalledBefore = time.GetUtcNow() - options.Value.StalledAfter;
        var restarted = 0;
        var query = new OrchestrationQuery { Statuses = Watched, FetchInputsAndOutputs = true, PageSize = 500 };
        await foreach (var instance in durable.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            if (instance.RuntimeStatus == OrchestrationRuntimeStatus.Terminated)
            {
                restarted += TerminatedByWatchdog(instance) && await RestartAsync(durable, instance, cancellationToken) ? 1 : 0;
            }
            else if (IsStalled(instance, stalledBefore))
            {
                restarted += await RestartAsync(durable, instance, cancellationToken) ? 1 : 0;
            }
            else if (StalledCallOf(instance, stalledBefore) is { } call)
            {
                await ResendAsync(durable, instance, call, cancellationToken);
                restarted++;
            }
            else if (FinishedButOpen(instance, stalledBefore))
            {
                await durable.TerminateInstanceAsync(instance.InstanceId, new TerminateInstanceOptions { Output = FinishedReason }, cancellationToken);
                logger.LogWarning("Watchdog: {Name} {InstanceId} finished its work but an activity call it scheduled again stays open: ended", instance.Name, instance.InstanceId);
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

    /// <summary>
    /// The activity call a request workflow has waited for with no step since <paramref name="stalledBefore"/>, by its custom
    /// status (<see cref="RequestWorkflowStatus.Call"/>); null when it waits for anything else (a person, a timer, an event)
    /// or is not a request workflow.
    /// </summary>
    public static int? StalledCallOf(OrchestrationMetadata instance, DateTimeOffset stalledBefore)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running, Name: nameof(DataSubjectRequestOrchestration.DataSubjectRequest) }
            && instance.LastUpdatedAt < stalledBefore
            && StatusOf(instance) is { Activity: not null, Call: { } call }
            ? call
            : null;
    }

    /// <summary>A request workflow whose work is done (it shows <see cref="DataSubjectRequestOrchestration.FinishedStep"/>) but that the engine keeps Running.</summary>
    private static bool FinishedButOpen(OrchestrationMetadata instance, DateTimeOffset stalledBefore) =>
        instance is { RuntimeStatus: OrchestrationRuntimeStatus.Running, Name: nameof(DataSubjectRequestOrchestration.DataSubjectRequest) }
        && instance.LastUpdatedAt < stalledBefore
        && StepOf(instance) == DataSubjectRequestOrchestration.FinishedStep;

    private static string? StepOf(OrchestrationMetadata instance) => StatusOf(instance)?.Step;

    private static RequestWorkflowStatus? StatusOf(OrchestrationMetadata instance)
    {
        if (string.IsNullOrEmpty(instance.SerializedCustomStatus))
        {
            return null;
        }

        try
        {
            return instance.ReadCustomStatusAs<RequestWorkflowStatus>();
        }
        catch (JsonException)
        {
            // A status of another shape (a sweep's progress) is a step this watchdog does not restart at.
            return new RequestWorkflowStatus("unknown");
        }
    }

    /// <summary>Has a request workflow schedule again the activity call it has waited for too long, and records it.</summary>
    private async Task ResendAsync(DurableTaskClient durable, OrchestrationMetadata instance, int call, CancellationToken cancellationToken)
    {
        var id = instance.InstanceId;
        var status = StatusOf(instance)!;
        var idle = time.GetUtcNow() - instance.LastUpdatedAt;
        await audit.AppendAsync(
            new AuditEvent(AuditActors.System, AuditActions.WorkflowStepResent)
            {
                RequestId = id,
                Details = new Dictionary<string, string>
                {
                    ["workflow"] = instance.Name,
                    ["step"] = status.Step,
                    ["activity"] = status.Activity!,
                    ["call"] = call.ToString(CultureInfo.InvariantCulture),
                    ["idleMinutes"] = ((long)idle.TotalMinutes).ToString(CultureInfo.InvariantCulture),
                },
                IdempotencyKey = $"{id}:resent:{call.ToString(CultureInfo.InvariantCulture)}:{instance.LastUpdatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}",
            },
            cancellationToken);
        await durable.RaiseEventAsync(id, RequestEvents.ResendStep, new ResendStepEvent(call), cancellationToken);
        logger.LogWarning("Watchdog: {Name} {InstanceId} had waited {Idle} for activity call {Call} ({Activity}) at {Step}: asked it to schedule the call again", instance.Name, id, idle, call, status.Activity, status.Step);
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
