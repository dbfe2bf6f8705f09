using System.Text;
using Azure.Data.Tables;
using Compliance.Audit;
using Compliance.SelfHost.Demo;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>
/// For every request type: a self-host process is killed (SIGKILL) in the middle of the request's workflow, a new process
/// starts on the same task hub, and the workflow completes exactly once: one start and one completion in the engine's
/// history, one completed request, each audited step once, each email once.
/// </summary>
public sealed class KillAndRestartTests(TestEnvironment env)
{
    private const string SessionLongAgo = "2024-07-10";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Types => [.. RequestType.All];

    [Theory]
    [MemberData(nameof(Types))]
    public async Task A_workflow_cut_off_by_a_killed_host_completes_exactly_once_after_a_restart(string type)
    {
        // Arrange: a study whose cut-off is still ahead, one participant with an interview (recording and transcript) that a
        // supplier transcribed. Set up through the test run's host: the self-host process shares its storage, not its task hub.
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var email = $"kill.{Guid.NewGuid():N}@example.org";
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, DemoData.People[0].Name);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, supplierId, "deletions@supplier.example");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, supplierId, participantId);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        var taskHub = TestEnvironment.NewTaskHubName();
        var instances = env.Tables.GetTableClient(taskHub + "Instances");

        // Act 1: drive the request to its last step that needs a person, take that step, and kill the host at once, while
        // the workflow carries it out.
        // The kill races the workflow: on a quick machine a short last step can finish first, which proves nothing, so
        // that attempt is set aside and another request is driven there (at most three times).
        string requestId = string.Empty;
        var statusAtKill = RequestStatus.Completed;
        for (var attempt = 0; attempt < 3 && statusAtKill == RequestStatus.Completed; attempt++)
        {
            var first = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub);
            try
            {
                using var http = TestEnvironment.ClientFor(first.BaseAddress);
                var api = new RequestApi(http, env.Tables, env.Blobs, durable: null);
                requestId = await DriveToLastStepAsync(api, type, studyId, email, participantId);
                await first.KillAsync();
                statusAtKill = (await api.Store.GetAsync(requestId, Ct)).Status;
            }
            finally
            {
                await first.DisposeAsync();
            }
        }

        statusAtKill.ShouldNotBe(RequestStatus.Completed, "the host should have been killed with the workflow unfinished");

        // Act 2: a new process on the same task hub finishes it (a withdrawal or an erasure then waits for the supplier's
        // confirmation that it has deleted what it held, Art. 19).
        await using var second = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub);
        using var secondHttp = TestEnvironment.ClientFor(second.BaseAddress);
        var after = new RequestApi(secondHttp, env.Tables, env.Blobs, durable: null);
        if (type is RequestType.Withdraw or RequestType.EraseContact)
        {
            await after.CompleteTaskAsync(requestId, TaskKind.SupplierConfirmation, TaskOutcome.Confirmed);
        }

        try
        {
            await Eventually.GetAsync(() => RuntimeStatusAsync(instances, requestId), s => s is "Completed" or "Failed" or "Terminated", TimeSpan.FromMinutes(2), "the workflow to finish after the restart");
        }
        catch (TimeoutException ex)
        {
            var engine = string.Join(", ", await EngineEventsAsync(env.Tables.GetTableClient(taskHub + "History"), requestId));
            var steps = string.Join(", ", (await after.Store.GetHistoryAsync(requestId, Ct)).Select(h => h.Event));
            throw new TimeoutException($"{ex.Message}\nStatus at the kill: {statusAtKill}\nEngine history: {engine}\nRequest history: {steps}\nThe second host printed:\n{second.Output}", ex);
        }

        // Assert: once in the engine...
        (await RuntimeStatusAsync(instances, requestId)).ShouldBe("Completed");
        var engineEvents = await EngineEventsAsync(env.Tables.GetTableClient(taskHub + "History"), requestId);
        engineEvents.Count(e => e == "ExecutionStarted").ShouldBe(1);
        engineEvents.Count(e => e == "ExecutionCompleted").ShouldBe(1);

        // ...once in the product: the request, its history, its audit trail and its emails.
        var request = await after.Store.GetAsync(requestId, Ct);
        request.Status.ShouldBe(RequestStatus.Completed);
        (await after.Store.GetHistoryAsync(requestId, Ct)).Count(h => h.Event == "completed").ShouldBe(1);
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.GroupBy(e => $"{e.Action} {string.Join(',', e.Details.Select(d => $"{d.Key}={d.Value}"))}")
            .Where(g => g.Count() > 1).Select(g => g.Key).ShouldBeEmpty("no step is audited twice");
        audit.Count(e => e.Action == AuditActions.RequestCompleted).ShouldBe(1);
        audit.ShouldContain(e => e.Action == EffectOf(type), $"the {type} was carried out");
        (await after.EmailKeysAsync(requestId)).ShouldBe(ExpectedEmails(type, supplierId).Order(StringComparer.Ordinal), ignoreOrder: false);
    }

    /// <summary>Takes the request as far as its last step that needs a person, takes that step, and returns the request's id.</summary>
    private static async Task<string> DriveToLastStepAsync(RequestApi api, string type, string studyId, string email, string participantId)
    {
        switch (type)
        {
            case RequestType.Access or RequestType.EraseContact:
                // Entered by the DPO with identity confirmed: the rest runs on its own.
                return await api.SubmitConfirmedAsync(studyId, type, email);
            case RequestType.Withdraw:
            {
                var id = await api.SubmitConfirmedAsync(studyId, type, email);
                await api.OpenTaskAsync(id, TaskKind.Approval);
                await api.ActOkAsync(id, RequestAction.Approve);
                return id;
            }

            case RequestType.RectifyContact:
            {
                var id = await api.SubmitConfirmedAsync(studyId, type, email, changes: new { email = $"new.{participantId}.{Guid.NewGuid():N}@example.org" });
                await api.WaitForStatusAsync(id, RequestStatus.AwaitingAddressConfirmation);
                await VerifyOkAsync(api, id, await api.CodeAsync(id, "address-confirmation"));
                return id;
            }

            case RequestType.OptOut:
            {
                // From the held address: a code to that address, read and entered as the participant would.
                var id = await api.SubmitAsync(new { studyId, type, email });
                await VerifyOkAsync(api, id, await api.CodeAsync(id));
                return id;
            }

            default:
            {
                // object, complaint, query: the DPO's review is the last step (after the code, for an objection).
                var id = await api.SubmitAsync(new { studyId, type, email });
                if (type == RequestType.Objection)
                {
                    await VerifyOkAsync(api, id, await api.CodeAsync(id));
                }

                await api.CompleteTaskAsync(id, TaskKind.DpoReview, TaskOutcome.Resolved);
                return id;
            }
        }
    }

    private static async Task VerifyOkAsync(RequestApi api, string requestId, string code)
    {
        using var response = await api.VerifyAsync(requestId, code);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }

    /// <summary>The audited action that shows the request's own work was done.</summary>
    private static string EffectOf(string type) => type switch
    {
        RequestType.Access => AuditActions.ExportCreated,
        RequestType.Withdraw => AuditActions.ResearchDataDeleted,
        RequestType.EraseContact => AuditActions.ContactErased,
        RequestType.RectifyContact => AuditActions.ContactUpdated,
        RequestType.OptOut => AuditActions.DoNotContactSet,
        _ => AuditActions.TaskCompleted,
    };

    private static string[] ExpectedEmails(string type, string supplierId) => type switch
    {
        RequestType.RectifyContact => ["acknowledgement", "address-confirmation", "outcome"],
        RequestType.OptOut or RequestType.Objection => ["acknowledgement", "outcome", "verification-code-1"],
        RequestType.Withdraw or RequestType.EraseContact => ["acknowledgement", "outcome", $"supplier-notice-{supplierId}"],
        _ => ["acknowledgement", "outcome"],
    };

    private static async Task<string> RuntimeStatusAsync(TableClient instances, string instanceId)
    {
        var row = await instances.GetEntityIfExistsAsync<TableEntity>(instanceId, string.Empty, cancellationToken: Ct);
        return row.HasValue ? row.Value!.GetString("RuntimeStatus") ?? "?" : "Missing";
    }

    private static async Task<List<string>> EngineEventsAsync(TableClient history, string instanceId)
    {
        var events = new List<string>();
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}"), cancellationToken: Ct))
        {
            events.Add(row.GetString("EventType") ?? string.Empty);
        }

        return events;
    }
}
