using System.Globalization;
using Compliance.Audit;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>Durable timers remind the DPO before a request's due date and escalate every period it is overdue.</summary>
public sealed class DeadlineAlarmTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_due_in_a_few_days_reminds_the_DPO_at_the_offsets_already_reached_and_not_the_others()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);

        // Received a month less four days ago: due in about four days, inside the 7-day reminder but not yet the 2-day one.
        var receivedAt = DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(-1).AddDays(4).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var requestId = await api.SubmitConfirmedAsync(studyId, "query", $"q.{Guid.NewGuid():N}@example.org", receivedAt);
        var running = await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");
        var due = RequestStore.FormatDate(running.DueDate!.Value);

        var reminder = await api.EmailAsync(requestId, $"dpo-reminder-{due}-7-days");

        reminder.To.Mailboxes.Single().Address.ShouldBe("dpo@natcen.ac.uk");
        reminder.Subject!.ShouldContain(requestId);
        reminder.TextBody!.ShouldContain(due);
        (await api.EmailKeysAsync(requestId)).ShouldNotContain(k => k.Contains("2-days", StringComparison.Ordinal) || k.Contains("escalation", StringComparison.Ordinal));
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.DeadlineReminder);
    }

    [Fact]
    public async Task An_overdue_request_escalates_every_period_until_it_is_closed()
    {
        // Escalation every 3 seconds instead of every day, so the test can watch it repeat.
        var escalateEvery = TimeSpan.FromSeconds(3);
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("escalateEvery: 1 day", "escalateEvery: 3 seconds"));
        var receivedAt = DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var sinceSubmitted = System.Diagnostics.Stopwatch.StartNew();
        var requestId = await api.SubmitConfirmedAsync(studyId, "complaint", $"c.{Guid.NewGuid():N}@example.org", receivedAt);
        var running = await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");
        var due = RequestStore.FormatDate(running.DueDate!.Value);

        var first = await api.EmailAsync(requestId, $"dpo-escalation-{due}-1");
        await api.EmailAsync(requestId, $"dpo-escalation-{due}-2", TimeSpan.FromSeconds(30));

        first.Subject.ShouldStartWith("OVERDUE");
        (await api.EmailKeysAsync(requestId)).ShouldNotContain(k => k.StartsWith("dpo-reminder", StringComparison.Ordinal), "an overdue request is past reminding");
        // Escalation looks forward: the first at once, then one a period after the last, so no more than the time since the
        // request was submitted allows (however slow this machine), and no burst for the days already overdue.
        var escalations = (await api.EmailKeysAsync(requestId)).Count(k => k.StartsWith("dpo-escalation", StringComparison.Ordinal));
        var elapsed = sinceSubmitted.Elapsed;
        // One period of slack: the engine's timers may fire a fraction of a second early (queue visibility is whole seconds).
        escalations.ShouldBeLessThanOrEqualTo(2 + (int)(elapsed / escalateEvery), $"escalation looks forward: one at once and one every {escalateEvery.TotalSeconds} s in the {elapsed.TotalSeconds:0.0} s since submission, no burst for the days already overdue");

        await api.CompleteTaskAsync(requestId, Compliance.Tasks.TaskKind.DpoReview, Compliance.Tasks.TaskOutcome.Resolved);

        // The workflow ends with the request, and its pending escalation timer with it.
        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
    }
}
