using System.Diagnostics;
using Compliance.Tasks;

namespace Compliance.Telemetry;

/// <summary>
/// The product's own traces and metrics: one <see cref="ActivitySource"/> and one meter, both named <see cref="Name"/>
/// (docs/operations.md#traces-and-metrics). Spans and measurements carry ids only, never a name, an address or free text.
/// </summary>
public static class ComplianceTelemetry
{
    /// <summary>The name of the product's activity source and of its meter.</summary>
    public const string Name = "Compliance";

    /// <summary>The product's spans (the self-host's timer invocations, for example).</summary>
    public static readonly ActivitySource Source = new(Name);
}

/// <summary>
/// The span attributes that say which request, study or email a span belongs to, and the one place they are derived: from
/// a workflow's instance id (<see cref="WorkflowRef"/>), or copied from the span a span was started under.
/// </summary>
public static class TelemetryTags
{
    /// <summary>A data-subject request's id (<c>DSR-…</c>), also its workflow's instance id.</summary>
    public const string RequestId = "compliance.request_id";

    /// <summary>A study's id; the only attribute the metrics are broken down by.</summary>
    public const string StudyId = "compliance.study_id";

    /// <summary>An inbound email's intake key (<c>MAIL-…</c>), also its intake workflow's instance id.</summary>
    public const string IntakeKey = "compliance.intake_key";

    /// <summary>The attribute the Durable Task SDK gives its spans for the orchestration's instance id.</summary>
    public const string DurableInstanceId = "durabletask.task.instance_id";

    /// <summary>The attribute the Durable Task SDK gives an event's span for the instance the event is raised to.</summary>
    public const string DurableEventTargetInstanceId = "durabletask.event.target_instance_id";

    /// <summary>The id attributes, in the order they are copied.</summary>
    public static IReadOnlyList<string> Ids { get; } = [RequestId, StudyId, IntakeKey];

    /// <summary>Tags <paramref name="activity"/> with a request and its study (either may be null).</summary>
    public static void TagRequest(Activity? activity, string? requestId, string? studyId)
    {
        if (activity is null)
        {
            return;
        }

        SetIfAbsent(activity, RequestId, requestId);
        SetIfAbsent(activity, StudyId, studyId);
    }

    /// <summary>Tags <paramref name="activity"/> with what a workflow's instance id names: a request, an email or a study's sweep.</summary>
    public static void TagWorkflow(Activity? activity, string? instanceId)
    {
        if (activity is null || !WorkflowRef.TryParse(instanceId, out var workflow))
        {
            return;
        }

        switch (workflow.Kind)
        {
            case WorkflowKind.Request:
                SetIfAbsent(activity, RequestId, workflow.Id);
                break;
            case WorkflowKind.MailIntake:
                SetIfAbsent(activity, IntakeKey, workflow.Id);
                break;
            case WorkflowKind.RetentionSweep:
                SetIfAbsent(activity, StudyId, workflow.Id[WorkflowRef.RetentionSweepPrefix.Length..]);
                break;
        }
    }

    /// <summary>
    /// Gives a span just started the ids of the nearest span above it in this process that has any (its own ids, or those
    /// its Durable instance id names), so a storage call made by an activity carries the activity's request id.
    /// </summary>
    public static void Inherit(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        for (var (parent, depth) = (activity.Parent, 0); parent is not null && depth < 16; (parent, depth) = (parent.Parent, depth + 1))
        {
            TagWorkflow(parent, parent.GetTagItem(DurableInstanceId) as string);
            var found = false;
            foreach (var key in Ids)
            {
                if (parent.GetTagItem(key) is string value)
                {
                    SetIfAbsent(activity, key, value);
                    found = true;
                }
            }

            if (found)
            {
                return;
            }
        }
    }

    private static void SetIfAbsent(Activity activity, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value) && activity.GetTagItem(key) is null)
        {
            activity.SetTag(key, value);
        }
    }
}
