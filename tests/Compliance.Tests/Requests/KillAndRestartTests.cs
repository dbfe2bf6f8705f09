using Azure.Data.Tables;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>
/// For every request type: a self-host process is killed (SIGKILL) in the middle of the request's workflow, a new process
/// starts on the same task hub, and the workflow completes exactly once: one start and one completion in the engine's
/// history, one completed request, each audited step once, each email once.
/// </summary>
public sealed class KillAndRestartTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Types => [.. RequestType.All];

    [Theory]
    [MemberData(nameof(Types))]
    public async Task A_workflow_cut_off_by_a_killed_host_completes_exactly_once_after_a_restart(string type)
    {
        // Arrange: a study whose cut-off is still ahead, one participant with an interview (recording and transcript) that a
        // supplier transcribed. Set up through the test run's host: the self-host process shares its storage, not its task hub.
        var subject = await RequestJourney.ArrangeAsync(env.Http, "kill");
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
                requestId = await RequestJourney.DriveToLastStepAsync(api, type, subject);
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
        await RequestJourney.FinishAsync(after, type, requestId);

        try
        {
            await Eventually.GetAsync(() => RuntimeStatusAsync(instances, requestId), s => s is "Completed" or "Failed" or "Terminated", TimeSpan.FromMinutes(2), "the workflow to finish after the restart");
        }
        catch (TimeoutException ex)
        {
            var engine = string.Join(", ", await RequestJourney.EngineEventsAsync(env.Tables.GetTableClient(taskHub + "History"), requestId));
            var steps = string.Join(", ", (await after.Store.GetHistoryAsync(requestId, Ct)).Select(h => h.Event));
            throw new TimeoutException($"{ex.Message}\nStatus at the kill: {statusAtKill}\nEngine history: {engine}\nRequest history: {steps}\nThe second host printed:\n{second.Output}", ex);
        }

        // Assert: once in the engine...
        (await RuntimeStatusAsync(instances, requestId)).ShouldBe("Completed");
        var engineEvents = await RequestJourney.EngineEventsAsync(env.Tables.GetTableClient(taskHub + "History"), requestId);
        engineEvents.Count(e => e == "ExecutionStarted").ShouldBe(1);
        engineEvents.Count(e => e == "ExecutionCompleted").ShouldBe(1);

        // ...once in the product: the request, its history, its audit trail and its emails.
        await RequestJourney.AssertCompletedOnceAsync(after, env.Tables, type, requestId, subject);
    }

    private static async Task<string> RuntimeStatusAsync(TableClient instances, string instanceId)
    {
        var row = await instances.GetEntityIfExistsAsync<TableEntity>(instanceId, string.Empty, cancellationToken: Ct);
        return row.HasValue ? row.Value!.GetString("RuntimeStatus") ?? "?" : "Missing";
    }
}
