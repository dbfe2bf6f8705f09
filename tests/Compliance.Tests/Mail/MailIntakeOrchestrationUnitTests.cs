using Compliance.Functions;
using Compliance.Functions.Mail;
using Compliance.Functions.Requests;
using Compliance.Requests;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Mail;

/// <summary>Every branch of the <c>MailIntake</c> orchestrator, on a fake context (intake end to end is in <see cref="MailIntakeTests"/>).</summary>
public sealed class MailIntakeOrchestrationUnitTests
{
    private const string Key = "mail-3f2a9c";
    private const string Reason = "reason-code";
    private const string RequestId = "REQ-20260302-0042";
    private const string ActionId = "action-7";
    private static readonly DateTime Start = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset StartAt = new(Start);
    private static readonly DateTimeOffset ReplyAt = StartAt.AddMinutes(-5);

    [Fact]
    public void A_quarantined_message_is_quarantined_with_its_reason_and_waits_for_staff()
    {
        var context = Intake(Plan(MailIntakeAction.Quarantine));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        run.IsCompleted.ShouldBeFalse();
        context.ActivityNames.ShouldBe([nameof(MailIntakeActivities.ReadInboundMail), nameof(MailTaskActivities.QuarantineMail), nameof(MailTaskActivities.CreateMailTask)]);
        context.InputOf<MailStepInput>(nameof(MailIntakeActivities.ReadInboundMail)).ShouldBe(new MailStepInput(Key, string.Empty, StartAt));
        context.InputOf<MailStepInput>(nameof(MailTaskActivities.QuarantineMail)).ShouldBe(new MailStepInput(Key, Reason, StartAt));
        context.InputOf<MailTaskInput>(nameof(MailTaskActivities.CreateMailTask)).ShouldBe(new MailTaskInput(Key, TaskKind.MailQuarantine, null, StartAt));
        context.WaitingFor.ShouldBe([RequestEvents.TaskCompleted(TaskKind.MailQuarantine)]);
        context.CustomStatus.ShouldBe(new RequestWorkflowStatus($"waiting-for-{TaskKind.MailQuarantine}"));
        context.Activities.ShouldAllBe(a => a.Options == ActivityRetry.Default);
    }

    [Fact]
    public void A_quarantined_message_finishes_when_staff_complete_its_task()
    {
        var context = Intake(Plan(MailIntakeAction.Quarantine))
            .RaiseEventAt(Start.AddHours(4), RequestEvents.TaskCompleted(TaskKind.MailQuarantine), Completed(TaskOutcome.Done));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.Quarantine);
        context.ActivityNames.ShouldBe([nameof(MailIntakeActivities.ReadInboundMail), nameof(MailTaskActivities.QuarantineMail), nameof(MailTaskActivities.CreateMailTask)]);
        context.SentEvents.ShouldBeEmpty();
    }

    [Fact]
    public void An_ignored_message_is_marked_ignored_with_its_reason_and_finishes_without_a_task()
    {
        var context = Intake(Plan(MailIntakeAction.Ignore));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.Ignore);
        context.ActivityNames.ShouldBe([nameof(MailIntakeActivities.ReadInboundMail), nameof(MailTaskActivities.IgnoreMail)]);
        context.InputOf<MailStepInput>(nameof(MailTaskActivities.IgnoreMail)).ShouldBe(new MailStepInput(Key, Reason, StartAt));
        context.WaitingFor.ShouldBeEmpty();
    }

    [Fact]
    public void A_reply_whose_code_verifies_the_requester_tells_the_request_and_needs_no_staff()
    {
        var context = Intake(Plan(MailIntakeAction.Reply), new MailReplyResult(MailReplyOutcome.Verified, ReplyAt));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.Reply, RequestId);
        context.ActivityNames.ShouldBe([nameof(MailIntakeActivities.ReadInboundMail), nameof(MailReplyActivities.ApplyReply)]);
        context.InputOf<MailReplyInput>(nameof(MailReplyActivities.ApplyReply)).ShouldBe(new MailReplyInput(Key, RequestId, StartAt));
        context.SentEvents.ShouldBe([new SentEvent(RequestId, RequestEvents.IdentityVerified, new IdentityVerifiedEvent(ReplyAt))]);
    }

    [Fact]
    public void A_reply_whose_code_confirms_a_new_address_tells_the_request_and_needs_no_staff()
    {
        var context = Intake(Plan(MailIntakeAction.Reply), new MailReplyResult(MailReplyOutcome.AddressConfirmed, ReplyAt));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.Reply, RequestId);
        context.ActivityNames.ShouldBe([nameof(MailIntakeActivities.ReadInboundMail), nameof(MailReplyActivities.ApplyReply)]);
        context.SentEvents.ShouldBe([new SentEvent(RequestId, RequestEvents.AddressConfirmed, new AddressConfirmedEvent(ReplyAt))]);
    }

    [Fact]
    public void A_reply_answering_a_clarification_resumes_the_request_and_waits_for_staff_to_read_it()
    {
        var context = Intake(Plan(MailIntakeAction.Reply), new MailReplyResult(MailReplyOutcome.Resumed, ReplyAt, ActionId));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        run.IsCompleted.ShouldBeFalse();
        context.SentEvents.ShouldBe([new SentEvent(RequestId, RequestEvents.Action, new RequestActionEvent(ActionId, RequestAction.Resume, ReplyAt))]);
        context.InputOf<MailTaskInput>(nameof(MailTaskActivities.CreateMailTask)).ShouldBe(new MailTaskInput(Key, TaskKind.MailReply, RequestId, StartAt));
        context.WaitingFor.ShouldBe([RequestEvents.TaskCompleted(TaskKind.MailReply)]);

        context.RaiseEvent(RequestEvents.TaskCompleted(TaskKind.MailReply), Completed(TaskOutcome.Done));

        ShouldFinishWith(run.Continue().Output, MailIntakeAction.Reply, RequestId);
    }

    [Fact]
    public void Any_other_reply_is_noted_and_read_by_staff_without_telling_the_request()
    {
        var context = Intake(Plan(MailIntakeAction.Reply), new MailReplyResult(MailReplyOutcome.Noted, ReplyAt))
            .RaiseEvent(RequestEvents.TaskCompleted(TaskKind.MailReply), Completed(TaskOutcome.Done));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.Reply, RequestId);
        context.SentEvents.ShouldBeEmpty();
        context.ActivityNames.ShouldBe([nameof(MailIntakeActivities.ReadInboundMail), nameof(MailReplyActivities.ApplyReply), nameof(MailTaskActivities.CreateMailTask)]);
        context.InputOf<MailTaskInput>(nameof(MailTaskActivities.CreateMailTask)).ShouldBe(new MailTaskInput(Key, TaskKind.MailReply, RequestId, StartAt));
    }

    [Fact]
    public void A_message_with_several_intents_makes_one_request_per_intent_in_order()
    {
        var context = Intake(Plan(MailIntakeAction.NewRequests, [RequestType.Access, RequestType.OptOut]));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.NewRequests, "REQ-access-0", "REQ-opt-out-1");
        context.InputsOf<MailRequestInput>(nameof(MailRequestActivities.CreateRequestFromMail)).ShouldBe([
            new MailRequestInput(Key, RequestType.Access, 0, StartAt),
            new MailRequestInput(Key, RequestType.OptOut, 1, StartAt),
        ]);
        context.CallsOf(nameof(MailTaskActivities.CreateMailTask)).ShouldBeEmpty();
    }

    [Fact]
    public void A_message_intake_cannot_classify_waits_for_staff_to_triage_it()
    {
        var context = Intake(Plan(MailIntakeAction.Triage));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        run.IsCompleted.ShouldBeFalse();
        context.InputOf<MailTaskInput>(nameof(MailTaskActivities.CreateMailTask)).ShouldBe(new MailTaskInput(Key, TaskKind.MailTriage, null, StartAt));
        context.WaitingFor.ShouldBe([RequestEvents.TaskCompleted(TaskKind.MailTriage)]);
        context.CustomStatus.ShouldBe(new RequestWorkflowStatus($"waiting-for-{TaskKind.MailTriage}"));
    }

    [Fact]
    public void A_triaged_message_that_is_not_a_request_is_ignored_as_such()
    {
        var context = Intake(Plan(MailIntakeAction.Triage))
            .RaiseEventAt(Start.AddDays(1), RequestEvents.TaskCompleted(TaskKind.MailTriage), Completed(TaskOutcome.NotARequest));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.Triage);
        context.InputOf<MailStepInput>(nameof(MailTaskActivities.IgnoreMail)).ShouldBe(new MailStepInput(Key, TaskOutcome.NotARequest, StartAt.AddDays(1)));
        context.CallsOf(nameof(MailRequestActivities.CreateRequestFromMail)).ShouldBeEmpty();
    }

    [Fact]
    public void A_triaged_message_becomes_one_request_of_the_type_staff_chose()
    {
        var context = Intake(Plan(MailIntakeAction.Triage))
            .RaiseEventAt(Start.AddDays(1), RequestEvents.TaskCompleted(TaskKind.MailTriage), Completed(RequestType.Withdraw));

        var run = context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key));

        ShouldFinishWith(run.Output, MailIntakeAction.Triage, "REQ-withdraw-0");
        context.InputOf<MailRequestInput>(nameof(MailRequestActivities.CreateRequestFromMail)).ShouldBe(new MailRequestInput(Key, RequestType.Withdraw, 0, StartAt.AddDays(1)));
        context.CallsOf(nameof(MailTaskActivities.IgnoreMail)).ShouldBeEmpty();
    }

    [Fact]
    public void An_action_this_workflow_does_not_know_goes_to_staff_triage()
    {
        var context = Intake(Plan("some-later-action"));

        context.Run(MailIntakeOrchestration.MailIntake, new MailIntakeInput(Key)).IsCompleted.ShouldBeFalse();

        context.InputOf<MailTaskInput>(nameof(MailTaskActivities.CreateMailTask)).Kind.ShouldBe(TaskKind.MailTriage);
    }

    /// <summary>Record equality would compare the request id lists by reference, so the fields are compared one by one.</summary>
    private static void ShouldFinishWith(MailIntakeResult result, string action, params string[] requestIds)
    {
        (result.IntakeKey, result.Action, result.Reason).ShouldBe((Key, action, Reason));
        result.RequestIds.ShouldBe(requestIds);
    }

    private static MailIntakePlan Plan(string action, IReadOnlyList<string>? types = null) =>
        new(action, Reason, action == MailIntakeAction.Reply ? RequestId : null, types ?? [], StartAt.AddMinutes(-10));

    private static TaskCompletedEvent Completed(string outcome) => new("task-1", outcome, StartAt.AddHours(1));

    /// <summary>The intake of message <see cref="Key"/>, read as <paramref name="plan"/>; a reply does <paramref name="reply"/>.</summary>
    private static FakeOrchestrationContext Intake(MailIntakePlan plan, MailReplyResult? reply = null)
    {
        var context = new FakeOrchestrationContext(Key, Start, nameof(MailIntakeOrchestration.MailIntake))
            .OnActivity<MailStepInput, MailIntakePlan>(nameof(MailIntakeActivities.ReadInboundMail), _ => plan)
            .OnActivity<MailStepInput>(nameof(MailTaskActivities.QuarantineMail))
            .OnActivity<MailStepInput>(nameof(MailTaskActivities.IgnoreMail))
            .OnActivity<MailTaskInput, string>(nameof(MailTaskActivities.CreateMailTask), t => $"task-{t.Kind}")
            .OnActivity<MailRequestInput, string>(nameof(MailRequestActivities.CreateRequestFromMail), r => $"REQ-{r.Type}-{r.Index}");
        return reply is null ? context : context.OnActivity<MailReplyInput, MailReplyResult>(nameof(MailReplyActivities.ApplyReply), _ => reply);
    }
}
