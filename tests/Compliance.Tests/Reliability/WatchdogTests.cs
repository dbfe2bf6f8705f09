using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Queues;
using Compliance.Audit;
using Compliance.Functions.Mail;
using Compliance.Functions.Maintenance;
using Compliance.Functions.Requests;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Mail.Intake;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Compliance.Tests.Requests;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>
/// The watchdog and the stall the engine can leave (durabletask#1046): an episode whose history was written and whose messages
/// were not. Made here without luck: the activity dispatcher is kept from the work-item queue by the proxy while the test
/// removes the intake's queued activity from under it, so the instance shows Running and waits for work that is gone.
/// </summary>
public sealed class WatchdogTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_intake_whose_queued_step_was_lost_is_started_again_and_makes_one_request_and_one_acknowledgement()
    {
        // Arrange: a mail host behind the proxy whose watchdog runs every 2 s and calls 3 s without a step a stall.
        var hub = TestEnvironment.NewTaskHubName();
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy, WithQuickWatchdog(new Dictionary<string, string?>
        {
            ["DurableTaskHubName"] = hub,
            ["Mail:FromAddress"] = TestEnvironment.MailboxAddress,
            ["Mail:MessageIdDomain"] = "research.example.org",
        }));
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var from = $"watchdog.{Guid.NewGuid():N}@example.org";
        var raw = MailIntakeTests.Compose(from, "Opt out", "Please do not contact me again about the study.");
        var key = InboundMailStore.IntakeKeyOf(raw);

        // Act: while no activity can be taken from the queue, the intake starts and queues its first step, which is then lost.
        await LoseTheStepQueuedByAsync(proxy, hub, "the intake's first step", async () =>
        {
            using var posted = await http.SendAsync(MailIntakeTests.Post(raw, role: Role.Admin), Ct);
            posted.StatusCode.ShouldBe(HttpStatusCode.Accepted, await posted.Content.ReadAsStringAsync(Ct));
        });

        // Assert: the intake was stalled (Running, its step gone), the watchdog started it again, and it finished once.
        var intake = await Eventually.GetAsync(() => durable.GetInstanceAsync(key, true, Ct), i => i is { RuntimeStatus: OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed }, TimeSpan.FromSeconds(90), "the stalled intake to be started again and finish");
        intake!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, intake.FailureDetails?.ToString());
        var requestId = intake.ReadOutputAs<MailIntakeResult>()!.RequestIds.ShouldHaveSingleItem();
        await Eventually.GetAsync(() => AuditAsync(requestId), a => a.Any(e => e.Action == AuditActions.RequestAcknowledged), TimeSpan.FromSeconds(60), "the request to be acknowledged");

        var restarts = (await AuditAsync(key)).Where(e => e.Action == AuditActions.WorkflowRestarted).ToList();
        var restart = restarts.ShouldHaveSingleItem("the watchdog started the stalled intake once");
        restart.Details!["workflow"].ShouldBe(nameof(MailIntakeOrchestration.MailIntake));
        restart.Details["step"].ShouldBe("none");
        var intakeAudit = await AuditAsync(key);
        intakeAudit.Count(e => e.Action == AuditActions.MailReceived).ShouldBe(1, "one receipt");
        intakeAudit.Count(e => e.Action == AuditActions.MailRequestCreated).ShouldBe(1, "one request made");
        var requests = (await new RequestStore(env.Tables).ListAsync(null, TestEnvironment.StudyId, Ct)).Where(r => r.RequesterEmail == from).ToList();
        requests.ShouldHaveSingleItem("one request from the sender");
        (await AuditAsync(requestId)).Count(e => e.Action == AuditActions.RequestAcknowledged).ShouldBe(1, "one acknowledgement");
        (await new Outbox(env.Blobs).ListAsync($"requests/{requestId}/", Ct)).Count(n => n.EndsWith($"/{RequestEmails.AcknowledgementKey}.eml", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task A_request_whose_queued_step_was_lost_after_its_code_was_entered_has_the_step_scheduled_again_and_completes_once()
    {
        // Arrange: an opt-out from the held address on a host behind the proxy, its watchdog quick, waiting for its code.
        var hub = TestEnvironment.NewTaskHubName();
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy, WithQuickWatchdog(new Dictionary<string, string?>
        {
            ["DurableTaskHubName"] = hub,
        }));
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var api = new RequestApi(http, env.Tables, env.Blobs, durable);
        var subject = await RequestJourney.ArrangeAsync(http, "resend");
        var id = await api.SubmitAsync(new { studyId = subject.StudyId, type = RequestType.OptOut, email = subject.Email });
        var code = await api.CodeAsync(id);
        await Eventually.GetAsync(() => durable.GetInstanceAsync(id, true, Ct), i => i?.ReadCustomStatusAs<RequestWorkflowStatus>() is { Step: RequestStatus.AwaitingVerification, Activity: null }, TimeSpan.FromSeconds(30), "the workflow to wait for the code");

        // Act: the code is entered while no activity can be taken from the queue; the step it starts is queued, then lost.
        await LoseTheStepQueuedByAsync(proxy, hub, "the step after the code", async () =>
        {
            using var verified = await api.VerifyAsync(id, code);
            verified.StatusCode.ShouldBe(HttpStatusCode.OK);
        });

        // Assert: the watchdog had the lost step scheduled again (not the workflow restarted) and the request completed once.
        // The engine keeps an instance open while any activity call is (the lost one is, for good): once the workflow shows
        // it has finished, the watchdog ends it.
        var workflow = await Eventually.GetAsync(() => durable.GetInstanceAsync(id, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(90), "the stalled request to go on and finish");
        workflow!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Terminated, workflow.FailureDetails?.ToString());
        workflow.SerializedOutput!.ShouldContain(WorkflowWatchdog.FinishedReason);
        var audit = await AuditAsync(id);
        var resent = audit.Where(e => e.Action == AuditActions.WorkflowStepResent).ToList();
        resent.ShouldNotBeEmpty("the watchdog had the lost step scheduled again");
        resent[0].Details!["activity"].ShouldBe(nameof(RequestSetupActivities.StartClock));
        audit.ShouldNotContain(e => e.Action == AuditActions.WorkflowRestarted);
        await RequestJourney.AssertCompletedOnceAsync(api, env.Tables, RequestType.OptOut, id, subject);
        (await RequestJourney.EngineEventsAsync(env.Tables.GetTableClient(hub + "History"), id)).Count(e => e == "ExecutionStarted").ShouldBe(1, "one start: resumed, not restarted");
    }

    [Fact]
    public async Task A_request_that_finishes_normally_completes_and_leaves_nothing_for_the_watchdog()
    {
        // The same opt-out with nothing lost: the engine completes it itself (the "finished" step is never seen Running).
        var hub = TestEnvironment.NewTaskHubName();
        await using var host = await ReliabilityHosts.StartHostAsync(env, env.StorageConnectionString, WithQuickWatchdog(new Dictionary<string, string?>
        {
            ["DurableTaskHubName"] = hub,
        }));
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var api = new RequestApi(http, env.Tables, env.Blobs, durable);
        var subject = await RequestJourney.ArrangeAsync(http, "noresend");
        var id = await RequestJourney.DriveToLastStepAsync(api, RequestType.OptOut, subject, TimeSpan.FromSeconds(5));
        var workflow = await Eventually.GetAsync(() => durable.GetInstanceAsync(id, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), "the request to finish");
        workflow!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, "a code entered 5 s late is waited for, not taken for a stall");
        (await AuditAsync(id)).ShouldNotContain(e => e.Action == AuditActions.WorkflowStepResent || e.Action == AuditActions.WorkflowRestarted);
    }

    [Theory]
    [InlineData(nameof(MailIntakeOrchestration.MailIntake), null, true)]
    [InlineData(nameof(MailIntakeOrchestration.MailIntake), "waiting-for-mail-triage", false)]
    [InlineData(nameof(DataSubjectRequestOrchestration.DataSubjectRequest), null, true)]
    [InlineData(nameof(DataSubjectRequestOrchestration.DataSubjectRequest), "preparing", true)]
    [InlineData(nameof(DataSubjectRequestOrchestration.DataSubjectRequest), "acknowledging", true)]
    [InlineData(nameof(DataSubjectRequestOrchestration.DataSubjectRequest), RequestStatus.AwaitingVerification, false)]
    [InlineData(nameof(DataSubjectRequestOrchestration.DataSubjectRequest), RequestStatus.InProgress, false)]
    [InlineData("RetentionSweep", null, false)]
    public void A_workflow_is_started_again_only_where_its_steps_so_far_are_idempotent_and_it_has_taken_nothing_from_outside(string name, string? step, bool restart) =>
        WorkflowWatchdog.MayRestart(name, step).ShouldBe(restart);

    /// <summary><paramref name="settings"/> with the watchdog of the hosts here: on, every 2 s, and 3 s without a step is a stall.</summary>
    private static Dictionary<string, string?> WithQuickWatchdog(Dictionary<string, string?> settings)
    {
        settings[$"AzureWebJobs.{nameof(WorkflowWatchdog.RestartStalledWorkflows)}.Disabled"] = "false";
        settings[WorkflowWatchdog.ScheduleSetting] = "*/2 * * * * *";
        settings["Watchdog:StalledAfter"] = "00:00:03";
        return settings;
    }

    /// <summary>
    /// The stall the engine can leave, made on purpose: while the proxy refuses the activity dispatcher's reads of the task
    /// hub's work-item queue, <paramref name="act"/> makes a workflow queue an activity, which is then cleared from the queue.
    /// </summary>
    private async Task LoseTheStepQueuedByAsync(StorageFaultProxy proxy, string hub, string step, Func<Task> act)
    {
        var workItems = new QueueClient(env.StorageConnectionString, hub.ToLowerInvariant() + "-workitems");
        using (proxy.Inject(new FaultRule { Service = StorageService.Queue, Action = FaultAction.ServerBusy, Match = c => c.Method == "GET" && c.Path.EndsWith("-workitems/messages", StringComparison.Ordinal) }))
        {
            await act();
            await Eventually.GetAsync(async () => (await workItems.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount, n => n > 0, TimeSpan.FromSeconds(30), $"{step} to be queued");
            await workItems.ClearMessagesAsync(Ct);
        }
    }

    /// <summary>The audit entries of a request or a message, read past the proxy.</summary>
    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string id) =>
        await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(id, null, Ct);
}
