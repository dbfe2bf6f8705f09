using DurableTask.Core;
using DurableTask.Core.History;

namespace Compliance.SelfHost.Engine;

/// <summary>
/// Drops a start message that is delivered again to an orchestration whose history already begins with it. A host killed
/// after it checkpointed an orchestration's first episode but before it deleted the start message from the control queue
/// leaves that message to reappear after the visibility timeout. The Durable Task Framework's own dispatcher (the one Azure
/// Functions runs) ignores such a duplicate; the sidecar's dispatcher adds it to the history, which then holds two starts,
/// and every later episode of the instance fails ("Multiple ExecutionStartedEvent found"), so the request would never finish.
/// The message stays in the backend's batch, so it is still deleted when the work item completes.
/// </summary>
public static class DuplicateStartMessages
{
    /// <summary>Removes from <paramref name="workItem"/>'s new messages the starts of the execution its history already holds; returns how many.</summary>
    public static int Drop(TaskOrchestrationWorkItem workItem)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        var executionId = workItem.OrchestrationRuntimeState?.ExecutionStartedEvent?.OrchestrationInstance?.ExecutionId;
        if (executionId is null || workItem.NewMessages is null)
        {
            return 0;
        }

        var kept = workItem.NewMessages
            .Where(m => m.Event is not ExecutionStartedEvent || !string.Equals(m.OrchestrationInstance?.ExecutionId, executionId, StringComparison.Ordinal))
            .ToList();
        var dropped = workItem.NewMessages.Count - kept.Count;
        if (dropped > 0)
        {
            workItem.NewMessages = kept;
        }

        return dropped;
    }
}
