using Compliance.Functions;
using Compliance.Functions.Requests;
using Compliance.Functions.Retention;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Retention;

/// <summary>Every branch of the <c>RetentionSweep</c> orchestrator, on a fake context (the sweep end to end is in <see cref="RetentionSweepTests"/>).</summary>
public sealed class RetentionSweepOrchestrationUnitTests
{
    private const string StudyId = "STUDY-A";
    private const string SweepId = "DC-STUDY-A-20260302090000000";
    private static readonly DateTime Start = new(2026, 3, 2, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset StartAt = new(Start);
    private static readonly DateTimeOffset ConfirmBy = new(2026, 4, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly SweepSupplierTask Transcriber = new("transcriber", SweepSupplierNotices.TaskIdFor(SweepId, "transcriber"));
    private static readonly SweepSupplierTask Translator = new("translator", SweepSupplierNotices.TaskIdFor(SweepId, "translator"));
    private static readonly string Confirmation = RequestEvents.TaskCompleted(TaskKind.SupplierConfirmation);

    [Fact]
    public void A_study_not_yet_due_is_left_alone_after_planning()
    {
        var context = Sweep(due: false);

        var run = context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId));

        run.Output.ShouldBe(new RetentionSweepResult(StudyId, "not-due", null, 0, 0, 0));
        context.ActivityNames.ShouldBe([nameof(RetentionActivities.PlanSweep)]);
        context.InputOf<SweepStepInput>(nameof(RetentionActivities.PlanSweep)).ShouldBe(new SweepStepInput(StudyId, string.Empty, Start));
        context.CustomStatuses.ShouldBeEmpty();
    }

    [Fact]
    public void A_due_sweep_inventories_deletes_erases_tells_suppliers_purges_and_returns_the_certificate()
    {
        var certificate = new RetentionSweepResult(StudyId, "swept", SweepId, 12, 1, 0);
        var context = Sweep(batches: 2, purged: 5, certificate: certificate);

        var run = context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId));

        run.Output.ShouldBe(certificate);
        context.ActivityNames.ShouldBe([
            nameof(RetentionActivities.PlanSweep),
            nameof(RetentionActivities.TakeInventory),
            nameof(RetentionActivities.SweepParallelism),
            nameof(SweepDeletionActivities.DeleteBatch),
            nameof(SweepDeletionActivities.DeleteBatch),
            nameof(StudyContactActivities.EraseStudyContacts),
            nameof(SweepSupplierNotices.NotifySweepSuppliers),
            nameof(SweepDeletionActivities.PurgeStudyHistories),
            nameof(SweepCertificateActivities.IssueCertificate),
        ]);
        var step = new SweepStepInput(StudyId, SweepId, Start);
        context.InputOf<SweepStepInput>(nameof(RetentionActivities.TakeInventory)).ShouldBe(step);
        context.InputOf<SweepStepInput>(nameof(StudyContactActivities.EraseStudyContacts)).ShouldBe(step);
        context.InputOf<SweepStepInput>(nameof(SweepDeletionActivities.PurgeStudyHistories)).ShouldBe(step);
        var certified = context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate));
        (certified.StudyId, certified.SweepId, certified.StartedAt, certified.HistoriesPurged, certified.At).ShouldBe((StudyId, SweepId, StartAt, 5, StartAt));
        certified.SuppliersTold.ShouldBeEmpty();
        context.Activities.ShouldAllBe(a => a.Options == ActivityRetry.Default);
        context.CustomStatuses.ShouldBe([
            new SweepStatus("inventory", 0, 0),
            new SweepStatus("erasing-contact-details", 2, 2),
            new SweepStatus("purging-histories", 2, 2),
            new SweepStatus("certifying", 2, 2),
        ]);
    }

    [Fact]
    public void Batches_beyond_the_parallelism_start_only_as_earlier_ones_finish_and_each_is_deleted_once()
    {
        var context = Sweep(batches: 7, parallel: 3);

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.MaxInFlight(nameof(SweepDeletionActivities.DeleteBatch)).ShouldBe(3);
        context.InputsOf<SweepBatchInput>(nameof(SweepDeletionActivities.DeleteBatch)).Select(b => b.Batch).ShouldBe([0, 1, 2, 3, 4, 5, 6]);
        context.InputsOf<SweepBatchInput>(nameof(SweepDeletionActivities.DeleteBatch)).ShouldAllBe(b => b.StudyId == StudyId && b.SweepId == SweepId);
        context.CustomStatuses.OfType<SweepStatus>().Where(s => s.Step == "deleting").ShouldBe([
            new SweepStatus("deleting", 1, 7),
            new SweepStatus("deleting", 2, 7),
            new SweepStatus("deleting", 3, 7),
            new SweepStatus("deleting", 4, 7),
        ]);
        var names = context.ActivityNames.ToList();
        names.IndexOf(nameof(StudyContactActivities.EraseStudyContacts)).ShouldBeGreaterThan(names.LastIndexOf(nameof(SweepDeletionActivities.DeleteBatch)));
    }

    [Fact]
    public void Batches_within_the_parallelism_are_all_deleted_at_once()
    {
        var context = Sweep(batches: 3, parallel: 4);

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.MaxInFlight(nameof(SweepDeletionActivities.DeleteBatch)).ShouldBe(3);
        context.InputsOf<SweepBatchInput>(nameof(SweepDeletionActivities.DeleteBatch)).Select(b => b.Batch).ShouldBe([0, 1, 2]);
        context.CustomStatuses.OfType<SweepStatus>().ShouldNotContain(s => s.Step == "deleting");
    }

    [Theory]
    [InlineData("")]
    [InlineData(WorkflowVersion.First)]
    public void A_sweep_started_before_version_2_keeps_its_order_purging_before_it_tells_the_suppliers(string version)
    {
        var context = Sweep(told: [Transcriber], purged: 5).RaiseEventAt(Start.AddDays(2), Confirmation, Confirmed(Transcriber));
        context.WorkflowVersion = version;

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.ActivityNames.Skip(5).ShouldBe([
            nameof(StudyContactActivities.EraseStudyContacts),
            nameof(SweepDeletionActivities.PurgeStudyHistories),
            nameof(SweepSupplierNotices.NotifySweepSuppliers),
            nameof(SweepCertificateActivities.IssueCertificate),
        ]);
        context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate)).HistoriesPurged.ShouldBe(5);
        context.CustomStatuses.OfType<SweepStatus>().Select(s => s.Step).ShouldBe(["inventory", "erasing-contact-details", "purging-histories", "awaiting-supplier-confirmations", "certifying"]);
    }

    [Fact]
    public void A_sweep_of_the_current_version_purges_after_the_suppliers_wait_just_before_it_certifies()
    {
        var context = Sweep(told: [Transcriber], purged: 5).RaiseEventAt(Start.AddDays(2), Confirmation, Confirmed(Transcriber));

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.ActivityNames.TakeLast(3).ShouldBe([
            nameof(SweepSupplierNotices.NotifySweepSuppliers),
            nameof(SweepDeletionActivities.PurgeStudyHistories),
            nameof(SweepCertificateActivities.IssueCertificate),
        ]);
        context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate)).HistoriesPurged.ShouldBe(5);
        context.CustomStatuses.OfType<SweepStatus>().Select(s => s.Step).ShouldBe(["inventory", "erasing-contact-details", "awaiting-supplier-confirmations", "purging-histories", "certifying"]);
    }

    [Fact]
    public void A_sweep_with_nothing_to_delete_deletes_no_batch_but_still_erases_purges_and_certifies()
    {
        var context = Sweep(batches: 0);

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.CallsOf(nameof(SweepDeletionActivities.DeleteBatch)).ShouldBeEmpty();
        context.ActivityNames.ShouldContain(nameof(StudyContactActivities.EraseStudyContacts));
        context.ActivityNames.ShouldContain(nameof(SweepDeletionActivities.PurgeStudyHistories));
        context.ActivityNames[^1].ShouldBe(nameof(SweepCertificateActivities.IssueCertificate));
    }

    [Fact]
    public void With_no_supplier_told_the_certificate_is_written_at_once_without_a_timer()
    {
        var context = Sweep(told: []);

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.Timers.ShouldBeEmpty();
        context.WaitingFor.ShouldBeEmpty();
        context.CustomStatuses.OfType<SweepStatus>().ShouldNotContain(s => s.Step == "awaiting-supplier-confirmations");
        context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate)).At.ShouldBe(StartAt);
    }

    [Fact]
    public void The_certificate_waits_for_every_told_supplier_to_confirm_and_then_cancels_the_deadline()
    {
        var firstConfirmed = Start.AddDays(3);
        var lastConfirmed = Start.AddDays(9);
        var context = Sweep(told: [Transcriber, Translator])
            .RaiseEventAt(firstConfirmed, Confirmation, Confirmed(Translator))
            .RaiseEventAt(lastConfirmed, Confirmation, Confirmed(Transcriber));

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        var certified = context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate));
        certified.At.ShouldBe(new DateTimeOffset(lastConfirmed));
        certified.StartedAt.ShouldBe(StartAt);
        certified.SuppliersTold.ShouldBe([Transcriber, Translator]);
        context.Timers.ShouldHaveSingleItem().FireAt.ShouldBe(ConfirmBy.UtcDateTime);
        context.Timers[0].IsCancelled.ShouldBeTrue();
        context.PendingTimers.ShouldBeEmpty();
        context.CustomStatuses.ShouldContain(new SweepStatus("awaiting-supplier-confirmations", 2, 2));
    }

    [Fact]
    public void Without_the_confirmations_the_sweep_waits_for_them()
    {
        var context = Sweep(told: [Transcriber]);
        context.Horizon = ConfirmBy.UtcDateTime.AddDays(-1);

        var run = context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId));

        run.IsCompleted.ShouldBeFalse();
        context.WaitingFor.ShouldBe([Confirmation]);
        context.CallsOf(nameof(SweepCertificateActivities.IssueCertificate)).ShouldBeEmpty();
        context.CustomStatus.ShouldBe(new SweepStatus("awaiting-supplier-confirmations", 2, 2));
    }

    [Fact]
    public void A_completion_of_an_earlier_sweeps_task_does_not_count_as_a_confirmation()
    {
        var earlier = new SweepSupplierTask("transcriber", SweepSupplierNotices.TaskIdFor("DC-STUDY-A-20250302090000000", "transcriber"));
        var confirmed = Start.AddDays(5);
        var context = Sweep(told: [Transcriber])
            .RaiseEventAt(Start.AddDays(1), Confirmation, Confirmed(earlier))
            .RaiseEventAt(confirmed, Confirmation, Confirmed(Transcriber));

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate)).At.ShouldBe(new DateTimeOffset(confirmed));
        context.ReceivedEvents.Select(e => e.Fate).ShouldBe([EventFate.Delivered, EventFate.Delivered]);
    }

    [Fact]
    public void Suppliers_that_have_not_all_confirmed_by_the_policys_date_are_certified_as_told_on_that_date()
    {
        var context = Sweep(told: [Transcriber, Translator])
            .RaiseEventAt(Start.AddDays(2), Confirmation, Confirmed(Translator));

        var run = context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId));

        run.IsCompleted.ShouldBeTrue();
        var certified = context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate));
        certified.At.ShouldBe(ConfirmBy);
        certified.SuppliersTold.ShouldBe([Transcriber, Translator]);
        context.Timers.ShouldHaveSingleItem().FiredAt.ShouldBe(ConfirmBy.UtcDateTime);
    }

    [Fact]
    public void The_suppliers_notice_carries_the_time_it_is_sent_not_the_time_the_sweep_started()
    {
        var context = Sweep(batches: 2, parallel: 1, deleteTakes: TimeSpan.FromHours(3));

        context.Run(RetentionSweepOrchestration.RetentionSweep, new RetentionSweepInput(StudyId)).IsCompleted.ShouldBeTrue();

        context.InputOf<SweepStepInput>(nameof(SweepSupplierNotices.NotifySweepSuppliers)).ShouldBe(new SweepStepInput(StudyId, SweepId, Start.AddHours(6)));
        var certified = context.InputOf<CertificateInput>(nameof(SweepCertificateActivities.IssueCertificate));
        (certified.StartedAt, certified.At).ShouldBe((StartAt, StartAt.AddHours(6)));
    }

    private static TaskCompletedEvent Confirmed(SweepSupplierTask task) => new(task.TaskId, TaskOutcome.Confirmed, ConfirmBy.AddDays(-1));

    /// <summary>A sweep of <see cref="StudyId"/> whose activities answer as a study due for deletion would.</summary>
    private static FakeOrchestrationContext Sweep(
        bool due = true,
        int batches = 2,
        int parallel = 4,
        int purged = 3,
        IReadOnlyList<SweepSupplierTask>? told = null,
        RetentionSweepResult? certificate = null,
        TimeSpan? deleteTakes = null) =>
        new FakeOrchestrationContext(RetentionSweepOrchestration.InstanceIdFor(StudyId), Start, nameof(RetentionSweepOrchestration.RetentionSweep))
            .OnActivity<SweepStepInput, SweepPlan>(nameof(RetentionActivities.PlanSweep), _ => new SweepPlan(due, due ? SweepId : string.Empty, due ? new DateOnly(2026, 3, 1) : null))
            .OnActivity<SweepStepInput, SweepInventorySummary>(nameof(RetentionActivities.TakeInventory), _ => new SweepInventorySummary(batches * 10, batches * 5, batches, 1, 4))
            .OnActivity<SweepStepInput, int>(nameof(RetentionActivities.SweepParallelism), _ => parallel)
            .OnActivity<SweepBatchInput, int>(nameof(SweepDeletionActivities.DeleteBatch), _ => 5, deleteTakes)
            .OnActivity<SweepStepInput>(nameof(StudyContactActivities.EraseStudyContacts))
            .OnActivity<SweepStepInput, int>(nameof(SweepDeletionActivities.PurgeStudyHistories), _ => purged)
            .OnActivity<SweepStepInput, SweepSupplierNotice>(nameof(SweepSupplierNotices.NotifySweepSuppliers), _ => new SweepSupplierNotice(told ?? [], ConfirmBy))
            .OnActivity<CertificateInput, RetentionSweepResult>(nameof(SweepCertificateActivities.IssueCertificate), c => certificate ?? new RetentionSweepResult(c.StudyId, "swept", c.SweepId, batches * 5, 1, 0));
}
