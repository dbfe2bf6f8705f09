using Compliance.Functions;
using Compliance.Functions.Access;
using Compliance.Functions.Participants;
using Compliance.Functions.Requests;
using Compliance.Mail;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>
/// Every branch of the <c>DataSubjectRequest</c> orchestrator (with its oversight of the DPO's actions and deadlines, and the
/// work of each request type), on a fake context, through its public face only: the activities it calls, their inputs, the
/// events it waits for and its output. The workflow end to end is in <see cref="RequestBranchTests"/> and its neighbours.
/// </summary>
public sealed class DataSubjectRequestOrchestrationUnitTests
{
    private const string Id = "REQ-20260302-0007";
    private const string Prepare = nameof(RequestSetupActivities.PrepareRequest);
    private const string Acknowledge = nameof(RequestNoticeActivities.AcknowledgeRequest);
    private const string SendCode = nameof(VerificationCodeActivities.SendVerificationCode);
    private const string SendReminder = nameof(VerificationActivities.SendVerificationReminder);
    private const string AskForDetails = nameof(VerificationActivities.AskForIdentityDetails);
    private const string CreateTask = nameof(RequestTaskActivities.CreateTask);
    private const string CloseUnverified = nameof(VerificationActivities.CloseUnverified);
    private const string StartClock = nameof(RequestSetupActivities.StartClock);
    private const string CheckParticipant = nameof(RequestSetupActivities.CheckParticipant);
    private const string SendOutcome = nameof(RequestActivities.SendOutcome);
    private const string CompleteRequest = nameof(RequestActivities.CompleteRequest);
    private const string RemindDpo = nameof(RequestNoticeActivities.RemindDpo);
    private const string RecordApprovalByTask = nameof(RequestTaskActivities.RecordApprovalByTask);
    private const string ApplyAction = nameof(RequestActionActivities.ApplyRequestAction);
    private const string CheckReadiness = nameof(AccessActivities.CheckAccessReadiness);
    private const string DeliverExport = nameof(AccessActivities.DeliverAccessExport);
    private const string CheckWithdrawal = nameof(ParticipantActivities.CheckWithdrawal);
    private const string DeleteResearchData = nameof(ResearchDataActivities.DeleteResearchData);
    private const string NotifySuppliers = nameof(ParticipantActivities.NotifySuppliers);
    private const string IssueCertificate = nameof(ParticipantActivities.IssueRequestCertificate);
    private const string EraseContact = nameof(ContactActivities.EraseContact);
    private const string RequestAddressConfirmation = nameof(RectificationActivities.RequestAddressConfirmation);
    private const string UpdateContact = nameof(RectificationActivities.UpdateContact);
    private const string SetDoNotContact = nameof(ContactActivities.SetDoNotContact);
    private const string RecordStall = nameof(RequestStallActivities.RecordStall);
    private const string RecoverStall = nameof(RequestStallActivities.RecoverStall);

    private static readonly DateTime Start = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset StartAt = new(Start);
    private static readonly DateTimeOffset ReceivedAt = StartAt.AddMinutes(-2);
    private static readonly DateOnly Due = new(2026, 4, 30);
    private static readonly Period ReminderAfter = new(3, PeriodUnit.Days);
    private static readonly Period CloseAfter = new(10, PeriodUnit.Days);

    private readonly Dictionary<string, RequestActionResult> actionResults = new(StringComparer.Ordinal);

    // Verification.

    [Fact]
    public void A_request_needing_no_verification_is_acknowledged_and_its_clock_starts_at_receipt()
    {
        var context = Request(RequestType.OptOut);

        var run = Run(context);

        run.Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));
        context.ActivityNames.Take(3).ShouldBe([Prepare, Acknowledge, StartClock]);
        context.InputOf<RequestStepInput>(Prepare).ShouldBe(new RequestStepInput(Id, StartAt));
        context.InputOf<AcknowledgeRequestInput>(Acknowledge).ShouldBe(new AcknowledgeRequestInput(Id, StartAt));
        context.InputOf<StartClockInput>(StartClock).ShouldBe(new StartClockInput(Id, ReceivedAt, false, StartAt));
        context.Activities.ShouldAllBe(a => a.Options == ActivityRetry.Default);
        context.CustomStatuses.OfType<RequestWorkflowStatus>().Select(s => s.Step).Distinct().Take(3).ShouldBe(["preparing", "acknowledging", RequestStatus.InProgress]);

        // While each activity runs, the status names it and the workflow's count of calls, for the watchdog; then it is the step alone again.
        var statuses = context.CustomStatuses.OfType<RequestWorkflowStatus>().ToList();
        statuses[1].ShouldBe(new RequestWorkflowStatus("preparing", nameof(RequestSetupActivities.PrepareRequest), 1));
        statuses[2].ShouldBe(new RequestWorkflowStatus("preparing"));
        statuses.Where(s => s.Call is not null).Select(s => s.Call!.Value).ShouldBe(Enumerable.Range(1, statuses.Count(s => s.Call is not null)));
    }

    [Fact]
    public void A_code_entered_before_the_reminder_starts_the_clock_when_it_was_entered_and_no_reminder_goes()
    {
        var verifiedAt = Start.AddDays(1);
        var context = Request(RequestType.OptOut, VerificationMode.CodeToHeldAddress)
            .RaiseEventAt(verifiedAt, RequestEvents.IdentityVerified, new IdentityVerifiedEvent(verifiedAt));

        var run = Run(context);

        run.Output.Status.ShouldBe(RequestStatus.Completed);
        context.ActivityNames.Take(4).ShouldBe([Prepare, Acknowledge, SendCode, StartClock]);
        context.InputOf<VerificationCodeInput>(SendCode).ShouldBe(new VerificationCodeInput(Id, 1, StartAt));
        context.InputOf<StartClockInput>(StartClock).ShouldBe(new StartClockInput(Id, verifiedAt, true, verifiedAt));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus(RequestStatus.AwaitingVerification));
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void A_code_not_entered_by_the_reminder_time_brings_one_reminder_and_the_clock_starts_when_it_is_entered()
    {
        var verifiedAt = Start.AddDays(5);
        var context = Request(RequestType.OptOut, VerificationMode.CodeToHeldAddress)
            .RaiseEventAt(verifiedAt, RequestEvents.IdentityVerified, new IdentityVerifiedEvent(verifiedAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Take(5).ShouldBe([Prepare, Acknowledge, SendCode, SendReminder, StartClock]);
        context.InputOf<RequestStepInput>(SendReminder).ShouldBe(new RequestStepInput(Id, StartAt.AddDays(3)));
        context.InputOf<StartClockInput>(StartClock).ClockStartAt.ShouldBe(new DateTimeOffset(verifiedAt));
    }

    [Fact]
    public void A_code_never_entered_closes_the_request_unverified_after_the_policys_time()
    {
        var context = Request(RequestType.OptOut, VerificationMode.CodeToHeldAddress);

        var run = Run(context);

        run.Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.ClosedUnverified));
        context.ActivityNames.ShouldBe([Prepare, Acknowledge, SendCode, SendReminder, CloseUnverified]);
        context.InputOf<RequestStepInput>(CloseUnverified).ShouldBe(new RequestStepInput(Id, StartAt.AddDays(10)));
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void With_the_reminder_due_no_earlier_than_the_closure_no_reminder_is_sent()
    {
        var context = Request(RequestType.OptOut, VerificationMode.CodeToHeldAddress, reminderAfter: CloseAfter);

        Run(context).Output.Status.ShouldBe(RequestStatus.ClosedUnverified);

        context.ActivityNames.ShouldBe([Prepare, Acknowledge, SendCode, CloseUnverified]);
        context.Timers.ShouldHaveSingleItem().FireAt.ShouldBe(Start.AddDays(10));
    }

    [Fact]
    public void A_refusal_while_the_code_is_awaited_refuses_the_request_without_closing_it_unverified()
    {
        var context = Request(RequestType.OptOut, VerificationMode.CodeToHeldAddress);
        DpoActs(context, Start.AddDays(1), RequestAction.Refuse, new RequestActionResult(RequestAction.Refuse, true, null, false, RequestDecision.Refused));

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Refused));

        context.ActivityNames.ShouldBe([Prepare, Acknowledge, SendCode, ApplyAction]);
        context.InputOf<RequestActionInput>(ApplyAction).ShouldBe(new RequestActionInput(Id, "action-1", Start.AddDays(1)));
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void A_reissued_code_is_sent_as_the_next_of_the_request()
    {
        var verifiedAt = Start.AddDays(2);
        var context = Request(RequestType.OptOut, VerificationMode.CodeToHeldAddress)
            .RaiseEventAt(verifiedAt, RequestEvents.IdentityVerified, new IdentityVerifiedEvent(verifiedAt));
        DpoActs(context, Start.AddDays(1), RequestAction.ReissueCode, new RequestActionResult(RequestAction.ReissueCode, true, null, false, null));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.InputsOf<VerificationCodeInput>(SendCode).ShouldBe([new VerificationCodeInput(Id, 1, StartAt), new VerificationCodeInput(Id, 2, StartAt.AddDays(1))]);
    }

    [Fact]
    public void A_reissue_that_was_not_applied_sends_no_new_code()
    {
        var verifiedAt = Start.AddDays(2);
        var context = Request(RequestType.OptOut, VerificationMode.CodeToHeldAddress)
            .RaiseEventAt(verifiedAt, RequestEvents.IdentityVerified, new IdentityVerifiedEvent(verifiedAt));
        DpoActs(context, Start.AddDays(1), RequestAction.ReissueCode, new RequestActionResult(RequestAction.ReissueCode, false, null, false, null));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.CallsOf(SendCode).Count.ShouldBe(1);
        context.CallsOf(ApplyAction).Count.ShouldBe(1);
    }

    [Fact]
    public void A_requester_the_DPO_verifies_by_their_details_has_the_clock_start_when_the_check_was_completed()
    {
        var decidedAt = StartAt.AddDays(2);
        var context = Request(RequestType.OptOut, VerificationMode.DetailsCheck)
            .RaiseEventAt(decidedAt.UtcDateTime, RequestEvents.TaskCompleted(TaskKind.IdentityCheck), new TaskCompletedEvent("t", TaskOutcome.Verified, decidedAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Take(5).ShouldBe([Prepare, Acknowledge, AskForDetails, CreateTask, StartClock]);
        context.InputOf<RequestStepInput>(AskForDetails).ShouldBe(new RequestStepInput(Id, StartAt));
        context.InputsOf<CreateTaskInput>(CreateTask)[0].ShouldBe(new CreateTaskInput(Id, TaskKind.IdentityCheck, Start.AddDays(10), StartAt));
        context.InputOf<StartClockInput>(StartClock).ShouldBe(new StartClockInput(Id, decidedAt, true, decidedAt));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus(RequestStatus.AwaitingIdentityCheck));
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void A_details_check_the_DPO_does_not_verify_closes_the_request_unverified()
    {
        var decidedAt = StartAt.AddDays(2);
        var context = Request(RequestType.OptOut, VerificationMode.DetailsCheck)
            .RaiseEventAt(decidedAt.UtcDateTime, RequestEvents.TaskCompleted(TaskKind.IdentityCheck), new TaskCompletedEvent("t", TaskOutcome.NotVerified, decidedAt));

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.ClosedUnverified));

        context.ActivityNames.ShouldBe([Prepare, Acknowledge, AskForDetails, CreateTask, CloseUnverified]);
        context.InputOf<RequestStepInput>(CloseUnverified).At.ShouldBe(decidedAt);
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void A_details_check_not_decided_in_the_policys_time_closes_the_request_unverified()
    {
        var context = Request(RequestType.OptOut, VerificationMode.DetailsCheck);

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.ClosedUnverified));

        context.ActivityNames.ShouldBe([Prepare, Acknowledge, AskForDetails, CreateTask, CloseUnverified]);
        context.InputOf<RequestStepInput>(CloseUnverified).At.ShouldBe(StartAt.AddDays(10));
        context.WaitingFor.ShouldNotContain(RequestEvents.TaskCompleted(TaskKind.IdentityCheck));
    }

    [Fact]
    public void A_refusal_during_the_details_check_refuses_the_request()
    {
        var context = Request(RequestType.OptOut, VerificationMode.DetailsCheck);
        DpoActs(context, Start.AddDays(1), RequestAction.Refuse, Refusal());

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Refused));

        context.ActivityNames.ShouldBe([Prepare, Acknowledge, AskForDetails, CreateTask, ApplyAction]);
    }

    // The DPO's oversight once the clock runs.

    [Fact]
    public void While_the_work_waits_the_DPO_is_reminded_before_the_due_date_and_escalated_every_period_after_it()
    {
        var context = Request(RequestType.Objection, remindBefore: [new Period(5, PeriodUnit.Days), new Period(1, PeriodUnit.Days)], escalateEvery: new Period(1, PeriodUnit.Weeks));
        var overdueFrom = UkTime.StartOf(Due.AddDays(1)).UtcDateTime;
        context.Horizon = overdueFrom.AddDays(15);

        var run = Run(context);

        run.IsCompleted.ShouldBeFalse();
        var dueDayStarts = UkTime.StartOf(Due).UtcDateTime;
        context.InputsOf<DeadlineAlarmInput>(RemindDpo).Select(a => (a.Kind, a.DueDate, a.At)).ShouldBe([
            ("reminder", Due, new DateTimeOffset(dueDayStarts.AddDays(-5))),
            ("reminder", Due, new DateTimeOffset(dueDayStarts.AddDays(-1))),
            ("escalation", Due, new DateTimeOffset(overdueFrom)),
            ("escalation", Due, new DateTimeOffset(overdueFrom.AddDays(7))),
            ("escalation", Due, new DateTimeOffset(overdueFrom.AddDays(14))),
        ]);
        context.InputsOf<DeadlineAlarmInput>(RemindDpo).Select(a => a.Key).Distinct().Count().ShouldBe(5);
        context.WaitingFor.ShouldContain(RequestEvents.TaskCompleted(TaskKind.DpoReview));

        context.RaiseEvent(RequestEvents.TaskCompleted(TaskKind.DpoReview), Completed(TaskKind.DpoReview, TaskOutcome.Resolved, context.Now));
        run.Continue().Output.Status.ShouldBe(RequestStatus.Completed);
    }

    [Fact]
    public void A_reminder_whose_time_has_already_passed_is_sent_at_once()
    {
        var soon = DateOnly.FromDateTime(Start).AddDays(2);
        var context = Request(RequestType.Objection, due: soon, remindBefore: [new Period(5, PeriodUnit.Days)]);
        context.Horizon = Start.AddDays(1);

        Run(context).IsCompleted.ShouldBeFalse();

        var reminder = context.InputOf<DeadlineAlarmInput>(RemindDpo);
        (reminder.Kind, reminder.DueDate, reminder.At).ShouldBe(("reminder", soon, StartAt));
    }

    [Fact]
    public void A_new_due_date_from_the_DPO_brings_its_own_alarms_and_escalation_counts_afresh()
    {
        var first = DateOnly.FromDateTime(Start).AddDays(2);
        var extended = first.AddDays(40);
        var context = Request(RequestType.Objection, due: first, escalateEvery: new Period(1, PeriodUnit.Weeks));
        DpoActs(context, Start.AddDays(4), RequestAction.Extend, new RequestActionResult(RequestAction.Extend, true, extended, false, null));
        context.Horizon = UkTime.StartOf(extended.AddDays(1)).UtcDateTime.AddDays(1);

        Run(context).IsCompleted.ShouldBeFalse();

        var alarms = context.InputsOf<DeadlineAlarmInput>(RemindDpo);
        alarms.Select(a => (a.Kind, a.DueDate, a.At)).ShouldBe([
            ("escalation", first, UkTime.StartOf(first.AddDays(1))),
            ("escalation", extended, UkTime.StartOf(extended.AddDays(1))),
        ]);
        alarms.ShouldAllBe(a => a.Key.EndsWith("-1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_request_paused_for_clarification_waits_for_the_resume_and_raises_no_alarm_meanwhile()
    {
        var availableAt = StartAt.AddDays(5);
        var context = Request(RequestType.Access, due: DateOnly.FromDateTime(Start).AddDays(6), readiness: new AccessReadiness(availableAt, []));
        DpoActs(context, Start.AddDays(2), RequestAction.Clarify, new RequestActionResult(RequestAction.Clarify, true, null, true, null));
        DpoActs(context, Start.AddDays(20), RequestAction.Resume, new RequestActionResult(RequestAction.Resume, true, Due, false, null));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.CallsOf(RemindDpo).ShouldBeEmpty();
        context.InputsOf<RequestStepInput>(CheckReadiness).Select(r => r.At).ShouldBe([StartAt, StartAt.AddDays(20)]);
        context.InputOf<RequestStepInput>(DeliverExport).At.ShouldBe(StartAt.AddDays(20));
    }

    [Fact]
    public void A_refusal_that_arrives_while_the_participant_is_checked_stops_an_opt_out()
    {
        var context = Request(RequestType.OptOut);
        actionResults["action-1"] = Refusal();
        context.RaiseEventDuring(CheckParticipant, RequestEvents.Action, new RequestActionEvent("action-1", RequestAction.Refuse, StartAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Refused);

        context.CallsOf(SetDoNotContact).ShouldBeEmpty();
    }

    // The work of each type.

    [Theory]
    [InlineData(RequestType.Objection)]
    [InlineData(RequestType.Complaint)]
    [InlineData(RequestType.Query)]
    public void An_objection_complaint_or_query_goes_to_the_DPO_and_is_answered_once_the_review_is_done(string type)
    {
        var context = Request(type).RaiseEventAt(Start.AddDays(3), RequestEvents.TaskCompleted(TaskKind.DpoReview), Completed(TaskKind.DpoReview, TaskOutcome.Resolved, Start.AddDays(3)));

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));

        context.ActivityNames.Skip(3).ShouldBe([CreateTask, SendOutcome]);
        context.InputOf<CreateTaskInput>(CreateTask).ShouldBe(new CreateTaskInput(Id, TaskKind.DpoReview, UkTime.StartOf(Due), StartAt));
        context.InputOf<OutcomeInput>(SendOutcome).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeReviewed, true, StartAt.AddDays(3)));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus("awaiting-dpo"));
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void A_review_the_DPO_approves_is_answered_without_its_task_being_completed()
    {
        var context = Request(RequestType.Complaint);
        DpoActs(context, Start.AddDays(1), RequestAction.Approve, Approval());

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CreateTask, ApplyAction, SendOutcome]);
    }

    [Fact]
    public void A_review_the_DPO_refuses_ends_refused_without_an_answer()
    {
        var context = Request(RequestType.Query);
        DpoActs(context, Start.AddDays(1), RequestAction.Refuse, Refusal());

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Refused));

        context.ActivityNames.Skip(3).ShouldBe([CreateTask, ApplyAction]);
    }

    [Fact]
    public void A_task_made_while_the_clock_has_no_due_date_is_due_in_seven_days()
    {
        var context = Request(RequestType.Objection, withoutDueDate: true);
        context.Horizon = Start.AddDays(1);

        Run(context).IsCompleted.ShouldBeFalse();

        context.InputOf<CreateTaskInput>(CreateTask).DueAt.ShouldBe(StartAt.AddDays(7));
        context.Timers.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(RequestType.Access)]
    [InlineData(RequestType.Withdraw)]
    [InlineData(RequestType.EraseContact)]
    [InlineData(RequestType.RectifyContact)]
    [InlineData(RequestType.OptOut)]
    public void A_request_linked_to_no_participant_is_answered_that_there_is_no_data(string type)
    {
        var context = Request(type).OnActivity<RequestStepInput, ParticipantCheck>(CheckParticipant, _ => new ParticipantCheck(false));

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, SendOutcome]);
        context.InputOf<OutcomeInput>(SendOutcome).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeNoData, true, StartAt));
    }

    [Fact]
    public void A_request_of_a_type_no_workflow_handles_fails()
    {
        var context = Request("a-type-from-later");

        Run(context).Failure.ShouldBeOfType<InvalidOperationException>().Message.ShouldContain(Id);

        context.ActivityNames[^1].ShouldBe(CheckParticipant);
    }

    [Fact]
    public void An_access_request_whose_transcripts_are_ready_is_exported_and_completed()
    {
        var context = Request(RequestType.Access);

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckReadiness, DeliverExport, CompleteRequest]);
        context.InputOf<RequestStepInput>(DeliverExport).ShouldBe(new RequestStepInput(Id, StartAt));
        context.InputOf<OutcomeInput>(CompleteRequest).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeAccess, true, StartAt));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus("exporting"));
        context.CustomStatus.ShouldBe(new RequestWorkflowStatus(DataSubjectRequestOrchestration.FinishedStep), "the last status a finished workflow shows");
    }

    [Fact]
    public void An_access_request_before_the_transcript_date_waits_for_it_and_checks_again()
    {
        var availableAt = StartAt.AddDays(10);
        var context = Request(RequestType.Access, readiness: new AccessReadiness(availableAt, []));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckReadiness, CheckReadiness, DeliverExport, CompleteRequest]);
        context.InputsOf<RequestStepInput>(CheckReadiness).Select(r => r.At).ShouldBe([StartAt, availableAt]);
        context.InputOf<RequestStepInput>(DeliverExport).At.ShouldBe(availableAt);
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus("waiting-for-transcript-date"));
    }

    [Fact]
    public void An_access_request_refused_while_waiting_for_the_transcript_date_is_not_exported()
    {
        var context = Request(RequestType.Access, readiness: new AccessReadiness(StartAt.AddDays(10), []));
        DpoActs(context, Start.AddDays(1), RequestAction.Refuse, Refusal());

        Run(context).Output.Status.ShouldBe(RequestStatus.Refused);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckReadiness, ApplyAction]);
    }

    [Fact]
    public void An_access_request_with_a_session_lacking_its_transcript_waits_for_the_upload()
    {
        var uploadedAt = Start.AddDays(4);
        var context = Request(RequestType.Access, readiness: new AccessReadiness(StartAt.AddDays(-1), ["session-2"]))
            .RaiseEventAt(uploadedAt, RequestEvents.TaskCompleted(TaskKind.TranscriptUpload), Completed(TaskKind.TranscriptUpload, TaskOutcome.Uploaded, uploadedAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckReadiness, CreateTask, DeliverExport, CompleteRequest]);
        context.InputOf<CreateTaskInput>(CreateTask).Kind.ShouldBe(TaskKind.TranscriptUpload);
        context.InputOf<RequestStepInput>(DeliverExport).At.ShouldBe(new DateTimeOffset(uploadedAt));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus("waiting-for-transcript"));
    }

    [Fact]
    public void An_access_request_refused_while_waiting_for_the_upload_is_not_exported()
    {
        var context = Request(RequestType.Access, readiness: new AccessReadiness(StartAt.AddDays(-1), ["session-2"]));
        DpoActs(context, Start.AddDays(1), RequestAction.Refuse, Refusal());

        Run(context).Output.Status.ShouldBe(RequestStatus.Refused);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckReadiness, CreateTask, ApplyAction]);
    }

    [Fact]
    public void A_withdrawal_after_the_cut_off_is_refused_without_asking_for_approval_or_deleting_anything()
    {
        var context = Request(RequestType.Withdraw).OnActivity<RequestStepInput, WithdrawalCheck>(CheckWithdrawal, _ => new WithdrawalCheck(false));

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Refused));

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckWithdrawal]);
    }

    [Fact]
    public void An_eligible_withdrawal_approved_by_its_task_deletes_answers_and_certifies()
    {
        var approvedAt = Start.AddDays(2);
        var context = Request(RequestType.Withdraw)
            .RaiseEventAt(approvedAt, RequestEvents.TaskCompleted(TaskKind.Approval), Completed(TaskKind.Approval, TaskOutcome.Approved, approvedAt));

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckWithdrawal, CreateTask, RecordApprovalByTask, DeleteResearchData, NotifySuppliers, SendOutcome, IssueCertificate]);
        context.InputOf<CreateTaskInput>(CreateTask).ShouldBe(new CreateTaskInput(Id, TaskKind.Approval, UkTime.StartOf(Due), StartAt));
        context.InputOf<SupplierNoticeInput>(NotifySuppliers).ShouldBe(new SupplierNoticeInput(Id, ParticipantActivities.SessionMaterial, approvedAt));
        context.InputOf<OutcomeInput>(SendOutcome).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeWithdraw, true, approvedAt));
        context.InputOf<RequestStepInput>(IssueCertificate).At.ShouldBe(new DateTimeOffset(approvedAt));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus("awaiting-approval"));
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void A_withdrawal_the_DPO_approves_by_action_is_not_also_recorded_as_approved_by_task()
    {
        var context = Request(RequestType.Withdraw);
        DpoActs(context, Start.AddDays(1), RequestAction.Approve, Approval());

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckWithdrawal, CreateTask, ApplyAction, DeleteResearchData, NotifySuppliers, SendOutcome, IssueCertificate]);
    }

    [Fact]
    public void A_withdrawal_refused_while_awaiting_approval_deletes_nothing()
    {
        var context = Request(RequestType.Withdraw);
        DpoActs(context, Start.AddDays(1), RequestAction.Refuse, Refusal());

        Run(context).Output.Status.ShouldBe(RequestStatus.Refused);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckWithdrawal, CreateTask, ApplyAction]);
    }

    [Fact]
    public void A_withdrawal_whose_shared_recording_keeps_other_voices_waits_for_the_redaction()
    {
        var redactedAt = Start.AddDays(6);
        var context = Request(RequestType.Withdraw)
            .OnActivity<RequestStepInput, ResearchDataDeletion>(DeleteResearchData, _ => new ResearchDataDeletion(3, 1))
            .RaiseEventAt(Start.AddDays(1), RequestEvents.TaskCompleted(TaskKind.Approval), Completed(TaskKind.Approval, TaskOutcome.Approved, Start.AddDays(1)))
            .RaiseEventAt(redactedAt, RequestEvents.TaskCompleted(TaskKind.Redaction), Completed(TaskKind.Redaction, TaskOutcome.Redacted, redactedAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckWithdrawal, CreateTask, RecordApprovalByTask, DeleteResearchData, CreateTask, NotifySuppliers, SendOutcome, IssueCertificate]);
        context.InputsOf<CreateTaskInput>(CreateTask).Select(t => t.Kind).ShouldBe([TaskKind.Approval, TaskKind.Redaction]);
        context.InputOf<OutcomeInput>(SendOutcome).At.ShouldBe(new DateTimeOffset(redactedAt));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus("awaiting-redaction"));
    }

    [Fact]
    public void A_withdrawal_refused_while_awaiting_the_redaction_tells_no_supplier_and_sends_no_outcome()
    {
        var context = Request(RequestType.Withdraw)
            .OnActivity<RequestStepInput, ResearchDataDeletion>(DeleteResearchData, _ => new ResearchDataDeletion(3, 1))
            .RaiseEventAt(Start.AddDays(1), RequestEvents.TaskCompleted(TaskKind.Approval), Completed(TaskKind.Approval, TaskOutcome.Approved, Start.AddDays(1)));
        DpoActs(context, Start.AddDays(3), RequestAction.Refuse, Refusal());

        Run(context).Output.Status.ShouldBe(RequestStatus.Refused);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, CheckWithdrawal, CreateTask, RecordApprovalByTask, DeleteResearchData, CreateTask, ApplyAction]);
    }

    [Fact]
    public void A_told_suppliers_confirmation_is_awaited_after_the_outcome_and_before_the_certificate()
    {
        var confirmedAt = Start.AddDays(8);
        var context = Request(RequestType.Withdraw)
            .OnActivity<SupplierNoticeInput, SupplierNotice>(NotifySuppliers, n => new SupplierNotice(true, n.At.AddDays(30)))
            .RaiseEventAt(Start.AddDays(1), RequestEvents.TaskCompleted(TaskKind.Approval), Completed(TaskKind.Approval, TaskOutcome.Approved, Start.AddDays(1)))
            .RaiseEventAt(confirmedAt, RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation), Completed(TaskKind.SupplierConfirmation, TaskOutcome.Confirmed, confirmedAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.TakeLast(4).ShouldBe([NotifySuppliers, SendOutcome, CreateTask, IssueCertificate]);
        context.InputsOf<CreateTaskInput>(CreateTask)[^1].ShouldBe(new CreateTaskInput(Id, TaskKind.SupplierConfirmation, UkTime.StartOf(Due), StartAt.AddDays(1)));
        context.InputOf<RequestStepInput>(IssueCertificate).At.ShouldBe(new DateTimeOffset(confirmedAt));
        context.Timers[^1].FireAt.ShouldBe(Start.AddDays(31));
        context.PendingTimers.ShouldBeEmpty();
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus("awaiting-supplier-confirmation"));
    }

    [Fact]
    public void A_supplier_that_does_not_confirm_in_the_policys_time_leaves_the_certificate_to_say_so()
    {
        var context = Request(RequestType.Withdraw)
            .OnActivity<SupplierNoticeInput, SupplierNotice>(NotifySuppliers, n => new SupplierNotice(true, n.At.AddDays(30)))
            .RaiseEventAt(Start.AddDays(1), RequestEvents.TaskCompleted(TaskKind.Approval), Completed(TaskKind.Approval, TaskOutcome.Approved, Start.AddDays(1)));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.InputOf<RequestStepInput>(IssueCertificate).At.ShouldBe(StartAt.AddDays(31));
        context.WaitingFor.ShouldContain(RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation));
    }

    [Fact]
    public void A_supplier_notice_from_before_the_time_limit_waits_for_the_confirmation_however_long_it_takes()
    {
        var context = Request(RequestType.Withdraw)
            .OnActivity<SupplierNoticeInput, SupplierNotice>(NotifySuppliers, _ => new SupplierNotice(true))
            .RaiseEventAt(Start.AddDays(1), RequestEvents.TaskCompleted(TaskKind.Approval), Completed(TaskKind.Approval, TaskOutcome.Approved, Start.AddDays(1)));

        var run = Run(context);

        run.IsCompleted.ShouldBeFalse();
        context.WaitingFor.ShouldContain(RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation));
        context.PendingTimers.ShouldBeEmpty();
        context.CallsOf(IssueCertificate).ShouldBeEmpty();

        context.RaiseEvent(RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation), Completed(TaskKind.SupplierConfirmation, TaskOutcome.Confirmed, Start.AddDays(300)));
        run.Continue().Output.Status.ShouldBe(RequestStatus.Completed);
    }

    [Fact]
    public void An_erasure_answers_first_then_erases_tells_the_supplier_completes_and_certifies()
    {
        var context = Request(RequestType.EraseContact);

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, SendOutcome, EraseContact, NotifySuppliers, CompleteRequest, IssueCertificate]);
        context.InputOf<OutcomeInput>(SendOutcome).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeEraseContact, false, StartAt));
        context.InputOf<SupplierNoticeInput>(NotifySuppliers).ShouldBe(new SupplierNoticeInput(Id, ParticipantActivities.ContactDetails, StartAt));
        context.InputOf<OutcomeInput>(CompleteRequest).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeEraseContact, true, StartAt));
    }

    [Fact]
    public void An_erasure_with_a_supplier_told_completes_the_request_then_awaits_the_confirmation_before_certifying()
    {
        var confirmedAt = Start.AddDays(2);
        var context = Request(RequestType.EraseContact)
            .OnActivity<SupplierNoticeInput, SupplierNotice>(NotifySuppliers, n => new SupplierNotice(true, n.At.AddDays(30)))
            .RaiseEventAt(confirmedAt, RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation), Completed(TaskKind.SupplierConfirmation, TaskOutcome.Confirmed, confirmedAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, SendOutcome, EraseContact, NotifySuppliers, CompleteRequest, CreateTask, IssueCertificate]);
        context.InputOf<CreateTaskInput>(CreateTask).Kind.ShouldBe(TaskKind.SupplierConfirmation);
        context.InputOf<RequestStepInput>(IssueCertificate).At.ShouldBe(new DateTimeOffset(confirmedAt));
    }

    [Fact]
    public void A_rectification_confirmed_from_the_new_address_replaces_it_and_is_answered()
    {
        var confirmedAt = Start.AddHours(2);
        var context = Request(RequestType.RectifyContact)
            .RaiseEventAt(confirmedAt, RequestEvents.AddressConfirmed, new AddressConfirmedEvent(confirmedAt));

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, RequestAddressConfirmation, UpdateContact, SendOutcome]);
        context.InputOf<UpdateContactInput>(UpdateContact).ShouldBe(new UpdateContactInput(Id, true, confirmedAt));
        context.InputOf<OutcomeInput>(SendOutcome).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeRectifyContact, true, confirmedAt));
        context.CustomStatuses.ShouldContain(new RequestWorkflowStatus(RequestStatus.AwaitingAddressConfirmation));
        context.PendingTimers.ShouldBeEmpty();
    }

    [Fact]
    public void A_rectification_whose_code_expires_is_applied_without_the_new_address()
    {
        var context = Request(RequestType.RectifyContact);

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.InputOf<UpdateContactInput>(UpdateContact).ShouldBe(new UpdateContactInput(Id, false, StartAt.AddDays(1)));
        context.WaitingFor.ShouldNotContain(RequestEvents.AddressConfirmed);
    }

    [Fact]
    public void A_rectification_with_no_new_address_to_confirm_is_applied_at_once()
    {
        var context = Request(RequestType.RectifyContact)
            .OnActivity<RequestStepInput, AddressConfirmationPlan>(RequestAddressConfirmation, _ => new AddressConfirmationPlan(false, new Period(1, PeriodUnit.Days)));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, RequestAddressConfirmation, UpdateContact, SendOutcome]);
        context.InputOf<UpdateContactInput>(UpdateContact).ShouldBe(new UpdateContactInput(Id, false, StartAt));
        context.Timers.ShouldBeEmpty();
    }

    [Fact]
    public void A_rectification_the_workflow_cannot_apply_waits_for_the_DPO_to_make_it_by_hand()
    {
        var doneAt = Start.AddDays(3);
        var context = Request(RequestType.RectifyContact)
            .OnActivity<RequestStepInput, AddressConfirmationPlan>(RequestAddressConfirmation, _ => new AddressConfirmationPlan(false, new Period(1, PeriodUnit.Days)))
            .OnActivity<UpdateContactInput, bool>(UpdateContact, _ => false)
            .RaiseEventAt(doneAt, RequestEvents.TaskCompleted(TaskKind.Rectification), Completed(TaskKind.Rectification, TaskOutcome.Done, doneAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, RequestAddressConfirmation, UpdateContact, CreateTask, SendOutcome]);
        context.InputOf<CreateTaskInput>(CreateTask).Kind.ShouldBe(TaskKind.Rectification);
        context.InputOf<OutcomeInput>(SendOutcome).At.ShouldBe(new DateTimeOffset(doneAt));
    }

    [Fact]
    public void A_rectification_refused_while_the_new_address_is_confirmed_changes_nothing()
    {
        var context = Request(RequestType.RectifyContact);
        DpoActs(context, Start.AddHours(1), RequestAction.Refuse, Refusal());

        Run(context).Output.Status.ShouldBe(RequestStatus.Refused);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, RequestAddressConfirmation, ApplyAction]);
    }

    [Fact]
    public void A_rectification_refused_while_the_DPO_is_to_make_it_is_not_answered()
    {
        var context = Request(RequestType.RectifyContact)
            .OnActivity<RequestStepInput, AddressConfirmationPlan>(RequestAddressConfirmation, _ => new AddressConfirmationPlan(false, new Period(1, PeriodUnit.Days)))
            .OnActivity<UpdateContactInput, bool>(UpdateContact, _ => false);
        DpoActs(context, Start.AddDays(1), RequestAction.Refuse, Refusal());

        Run(context).Output.Status.ShouldBe(RequestStatus.Refused);

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, RequestAddressConfirmation, UpdateContact, CreateTask, ApplyAction]);
    }

    [Fact]
    public void An_opt_out_stops_further_contact_and_is_answered()
    {
        var context = Request(RequestType.OptOut);

        Run(context).Output.ShouldBe(new RequestWorkflowResult(Id, RequestStatus.Completed));

        context.ActivityNames.Skip(3).ShouldBe([CheckParticipant, SetDoNotContact, SendOutcome]);
        context.InputOf<RequestStepInput>(SetDoNotContact).ShouldBe(new RequestStepInput(Id, StartAt));
        context.InputOf<OutcomeInput>(SendOutcome).ShouldBe(new OutcomeInput(Id, EmailKind.OutcomeOptOut, true, StartAt));
        context.Timers.ShouldBeEmpty();
    }

    // A step that fails its retries: the stall and the retry.

    [Fact]
    public void A_step_that_fails_its_retries_is_recorded_as_a_stall_and_run_again_by_itself_an_hour_later()
    {
        var context = Stalling(Request(RequestType.OptOut), Acknowledge, failures: 2);

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        var tries = context.CallsOf(Acknowledge);
        tries.Select(t => t.At).ShouldBe([Start, Start + RequestStall.RetryEvery, Start + (2 * RequestStall.RetryEvery)]);
        tries.Select(t => t.Input).Distinct().ShouldHaveSingleItem("each try runs the same step, with the same input");
        context.InputsOf<RequestStallInput>(RecordStall).Select(s => (s.Step, s.Stall, s.Failures)).ShouldBe([(Acknowledge, 1, 1), (Acknowledge, 1, 2)]);
        context.InputsOf<RequestStallInput>(RecordStall).ShouldAllBe(s => s.Error == typeof(TimeoutException).FullName);
        var recovery = context.InputOf<RequestStallInput>(RecoverStall);
        (recovery.Step, recovery.Stall, recovery.Failures, recovery.RetryActionId).ShouldBe((Acknowledge, 1, 2, (string?)null));
        context.ActivityNames.SkipWhile(n => n != RecoverStall).Skip(1).First().ShouldBe(StartClock, "the workflow goes on where it stalled");
    }

    [Fact]
    public void The_DPOs_retry_runs_a_stalled_step_at_once_and_is_named_in_the_recovery()
    {
        var retryAt = Start.AddMinutes(10);
        var context = Stalling(Request(RequestType.OptOut), SetDoNotContact, failures: 1)
            .RaiseEventAt(retryAt, RequestEvents.RetryStep, new RetryStepEvent("A-retry-1", retryAt));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.CallsOf(SetDoNotContact).Select(c => c.At).ShouldBe([Start, retryAt]);
        context.InputOf<RequestStallInput>(RecoverStall).RetryActionId.ShouldBe("A-retry-1");
        context.PendingTimers.ShouldBeEmpty("the hourly retry is cancelled once the step has run");
    }

    [Fact]
    public void A_stall_that_cannot_be_recorded_is_still_retried()
    {
        var context = Stalling(Request(RequestType.OptOut), Acknowledge, failures: 1)
            .OnActivity<RequestStallInput, object?>(RecordStall, _ => throw new TimeoutException("storage is down too"));

        Run(context).Output.Status.ShouldBe(RequestStatus.Completed);

        context.CallsOf(Acknowledge).Count.ShouldBe(2);
        context.CallsOf(RecoverStall).Count.ShouldBe(1);
    }

    /// <summary><paramref name="step"/> fails its first <paramref name="failures"/> calls (as after all its retries) and then runs.</summary>
    private static FakeOrchestrationContext Stalling(FakeOrchestrationContext context, string step, int failures)
    {
        var calls = 0;
        return context
            .OnActivity<object, object?>(step, _ => ++calls <= failures ? throw new TimeoutException("storage did not answer") : StepResult(step))
            .OnActivity<RequestStallInput>(RecordStall)
            .OnActivity<RequestStallInput>(RecoverStall);
    }

    private static AcknowledgeRequestResult? StepResult(string step) =>
        step == Acknowledge ? new AcknowledgeRequestResult($"outbox/{Id}/acknowledgement", true) : null;

    private static FakeOrchestrationRun<RequestWorkflowResult> Run(FakeOrchestrationContext context) =>
        context.Run(DataSubjectRequestOrchestration.DataSubjectRequest, new RequestWorkflowInput(Id));

    private static TaskCompletedEvent Completed(string kind, string outcome, DateTimeOffset at) => new($"{Id}.{kind}", outcome, at);

    private static RequestActionResult Refusal() => new(RequestAction.Refuse, true, Due, false, RequestDecision.Refused);

    private static RequestActionResult Approval() => new(RequestAction.Approve, true, Due, false, RequestDecision.Approved);

    /// <summary>The DPO takes <paramref name="action"/> at <paramref name="at"/>; <c>ApplyRequestAction</c> then reports <paramref name="result"/>.</summary>
    private void DpoActs(FakeOrchestrationContext context, DateTime at, string action, RequestActionResult result)
    {
        var actionId = $"action-{actionResults.Count + 1}";
        actionResults[actionId] = result;
        context.RaiseEventAt(at, RequestEvents.Action, new RequestActionEvent(actionId, action, at));
    }

    /// <summary>
    /// Request <see cref="Id"/> of <paramref name="type"/>, whose activities answer as for a participant whose data is all
    /// there: transcripts ready, the withdrawal eligible, no supplier to tell, a new address to confirm that can be applied;
    /// the clock's due date is <see cref="Due"/> unless given (or <paramref name="withoutDueDate"/>).
    /// </summary>
    private FakeOrchestrationContext Request(
        string type,
        string mode = VerificationMode.None,
        Period? reminderAfter = null,
        DateOnly? due = null,
        bool withoutDueDate = false,
        IReadOnlyList<Period>? remindBefore = null,
        Period? escalateEvery = null,
        AccessReadiness? readiness = null)
    {
        DateOnly? dueDate = withoutDueDate ? null : due ?? Due;
        return new FakeOrchestrationContext(Id, Start, nameof(DataSubjectRequestOrchestration.DataSubjectRequest))
            .OnActivity<RequestStepInput, RequestPlan>(Prepare, _ => new RequestPlan(mode, ReceivedAt, new Period(1, PeriodUnit.Days), reminderAfter ?? ReminderAfter, CloseAfter, type))
            .OnActivity<AcknowledgeRequestInput, AcknowledgeRequestResult>(Acknowledge, _ => new AcknowledgeRequestResult($"outbox/{Id}/acknowledgement", true))
            .OnActivity<VerificationCodeInput>(SendCode)
            .OnActivity<RequestStepInput>(SendReminder)
            .OnActivity<RequestStepInput>(AskForDetails)
            .OnActivity<CreateTaskInput, string>(CreateTask, t => $"{Id}.{t.Kind}")
            .OnActivity<RequestStepInput>(CloseUnverified)
            .OnActivity<StartClockInput, StartClockResult>(StartClock, c => new StartClockResult(DateOnly.FromDateTime(c.ClockStartAt.UtcDateTime), dueDate, remindBefore ?? [], escalateEvery ?? new Period(1, PeriodUnit.Weeks)))
            .OnActivity<DeadlineAlarmInput>(RemindDpo)
            .OnActivity<RequestActionInput, RequestActionResult>(ApplyAction, a => actionResults.TryGetValue(a.ActionId, out var result) ? result : throw new FakeOrchestrationException($"No result scripted for action {a.ActionId}."))
            .OnActivity<RequestStepInput, ParticipantCheck>(CheckParticipant, _ => new ParticipantCheck(true))
            .OnActivity<OutcomeInput>(SendOutcome)
            .OnActivity<OutcomeInput>(CompleteRequest)
            .OnActivity<RequestStepInput>(RecordApprovalByTask)
            .OnActivity<RequestStepInput, AccessReadiness>(CheckReadiness, _ => readiness ?? new AccessReadiness(StartAt.AddDays(-1), []))
            .OnActivity<RequestStepInput>(DeliverExport)
            .OnActivity<RequestStepInput, WithdrawalCheck>(CheckWithdrawal, _ => new WithdrawalCheck(true))
            .OnActivity<RequestStepInput, ResearchDataDeletion>(DeleteResearchData, _ => new ResearchDataDeletion(4, 0))
            .OnActivity<SupplierNoticeInput, SupplierNotice>(NotifySuppliers, _ => new SupplierNotice(false))
            .OnActivity<RequestStepInput, string>(IssueCertificate, _ => $"RC-{Id}")
            .OnActivity<RequestStepInput>(EraseContact)
            .OnActivity<RequestStepInput, AddressConfirmationPlan>(RequestAddressConfirmation, _ => new AddressConfirmationPlan(true, new Period(1, PeriodUnit.Days)))
            .OnActivity<UpdateContactInput, bool>(UpdateContact, _ => true)
            .OnActivity<RequestStepInput>(SetDoNotContact);
    }
}
