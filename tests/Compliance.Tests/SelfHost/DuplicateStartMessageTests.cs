using Compliance.SelfHost.Engine;
using DurableTask.Core;
using DurableTask.Core.History;

namespace Compliance.Tests.SelfHost;

/// <summary>
/// A start message delivered again after a crash (the host died after checkpointing the first episode, before deleting the
/// message) must not reach the sidecar's dispatcher: it would add a second start to the history and wedge the instance.
/// </summary>
public sealed class DuplicateStartMessageTests
{
    private static readonly OrchestrationInstance Instance = new() { InstanceId = "DSR-20260101-AAAAAAAA", ExecutionId = "e1" };

    [Fact]
    public void A_start_message_for_the_execution_the_history_already_holds_is_dropped_and_the_rest_kept()
    {
        var raised = new TaskMessage { Event = new EventRaisedEvent(-1, "{}") { Name = "RequestAction" }, OrchestrationInstance = Instance };
        var workItem = WorkItem(History(), Start(Instance), raised);

        var dropped = DuplicateStartMessages.Drop(workItem);

        dropped.ShouldBe(1);
        workItem.NewMessages.ShouldBe([raised]);
        foreach (var message in workItem.NewMessages)
        {
            workItem.OrchestrationRuntimeState.AddEvent(message.Event);
        }

        workItem.OrchestrationRuntimeState.Events.OfType<ExecutionStartedEvent>().ShouldHaveSingleItem();
    }

    [Fact]
    public void Without_the_filter_the_duplicate_corrupts_the_history()
    {
        var workItem = WorkItem(History(), Start(Instance));

        Should.Throw<InvalidOperationException>(() => workItem.OrchestrationRuntimeState.AddEvent(workItem.NewMessages[0].Event))
            .Message.ShouldContain("Multiple ExecutionStartedEvent");
    }

    [Fact]
    public void The_first_start_of_an_instance_and_the_start_of_a_new_execution_are_kept()
    {
        var first = WorkItem(new OrchestrationRuntimeState(), Start(Instance));
        var next = new OrchestrationInstance { InstanceId = Instance.InstanceId, ExecutionId = "e2" };
        var restarted = WorkItem(History(), Start(next));

        DuplicateStartMessages.Drop(first).ShouldBe(0);
        DuplicateStartMessages.Drop(restarted).ShouldBe(0);
        first.NewMessages.ShouldHaveSingleItem();
        restarted.NewMessages.ShouldHaveSingleItem();
    }

    private static OrchestrationRuntimeState History() =>
        new([new OrchestratorStartedEvent(-1), Start(Instance).Event, new TaskScheduledEvent(0, "PrepareRequest"), new OrchestratorCompletedEvent(-1)]);

    private static TaskMessage Start(OrchestrationInstance instance) => new()
    {
        Event = new ExecutionStartedEvent(-1, "{}") { Name = "DataSubjectRequest", OrchestrationInstance = instance },
        OrchestrationInstance = instance,
    };

    private static TaskOrchestrationWorkItem WorkItem(OrchestrationRuntimeState state, params TaskMessage[] messages) => new()
    {
        InstanceId = Instance.InstanceId,
        OrchestrationRuntimeState = state,
        NewMessages = messages.ToList(),
    };
}
