using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Compliance.Audit;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Requests;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>
/// Storage restarted under running work (issue 16, item 2): an Azurite of the test's own, on disk, is stopped (as its own
/// Ctrl+C stops it) while a host has workflows in flight and started again on the same folder and ports; the work completes,
/// exactly once. First, that Azurite so stopped keeps what it acknowledged: without that, a lost write would be Azurite's
/// doing, not ours (killed, it loses up to 5 seconds of them: docs/reliability.md).
/// </summary>
public sealed class StorageRestartTests(TestEnvironment env)
{
    /// <summary>
    /// How long storage stays away, on top of its own stop and start: longer than the Azure SDK's retries last (3 retries,
    /// 0.8 s doubling), so calls in flight fail for good and the engine's own recovery is what brings the work back.
    /// </summary>
    private static readonly TimeSpan Down = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Azurite_stopped_and_started_again_keeps_every_write_it_acknowledged()
    {
        // Arrange: an Azurite on disk, and writes of every service as fast as it takes them.
        await using var storage = await DiskStorage.StartAsync(Ct);
        var table = storage.Tables.GetTableClient("t" + Guid.NewGuid().ToString("N")[..12]);
        var container = storage.Blobs.GetBlobContainerClient("c" + Guid.NewGuid().ToString("N")[..12]);
        var queue = storage.Queues.GetQueueClient("q" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync(Ct);
        await container.CreateAsync(cancellationToken: Ct);
        await queue.CreateAsync(cancellationToken: Ct);
        const int Each = 300;

        // Act: the last write acknowledged, stop it at once and start it again.
        await Parallel.ForEachAsync(Enumerable.Range(0, Each), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (i, ct) =>
        {
            await table.AddEntityAsync(new TableEntity("p", i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)) { ["N"] = i }, ct);
            await container.GetBlobClient($"b{i:D4}").UploadAsync(BinaryData.FromString($"blob {i}"), ct);
            await queue.SendMessageAsync($"message {i}", cancellationToken: ct);
        });
        await storage.StopAsync();
        await storage.StartAgainAsync();

        // Assert: it exited by itself (saving first), and every acknowledged write is there.
        storage.StoppedCleanly.ShouldBeTrue("Azurite exits by itself on SIGTERM");
        var rows = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(cancellationToken: Ct))
        {
            rows++;
        }

        var blobs = 0;
        await foreach (var _ in container.GetBlobsAsync(cancellationToken: Ct))
        {
            blobs++;
        }

        (rows, blobs, (int)(await queue.GetPropertiesAsync(Ct)).Value.ApproximateMessagesCount).ShouldBe((Each, Each, Each), "rows, blobs and messages after the restart");
    }

    [Fact]
    public async Task Every_request_type_completes_exactly_once_after_storage_restarts_under_its_workflow()
    {
        // Arrange: a host on an Azurite of the test's own, on disk; a study, participant and supplier per type through it.
        await using var storage = await DiskStorage.StartAsync(Ct);
        await using var host = await ReliabilityHosts.StartHostAsync(env, storage.ConnectionString);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var api = new RequestApi(http, storage.Tables, storage.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
        var types = RequestType.All.ToList();
        var subjects = await Task.WhenAll(types.Select(_ => RequestJourney.ArrangeAsync(http, "restart")));

        // Act 1: every type to its last step that needs a person, and that step taken; storage stops at once, with the
        // workflows carrying those steps out (a withdrawal and an erasure then wait for their supplier).
        var requestIds = await Task.WhenAll(types.Select((type, i) => RequestJourney.DriveToLastStepAsync(api, type, subjects[i])));
        var statusesAtStop = await Task.WhenAll(requestIds.Select(async id => (await api.Store.GetAsync(id, Ct)).Status));
        await storage.StopAsync();
        await Task.Delay(Down, Ct);
        await storage.StartAgainAsync();
        var back = System.Diagnostics.Stopwatch.StartNew();

        // Act 2: storage is back; the last steps are finished.
        var runs = new Dictionary<string, Task<string>>(StringComparer.Ordinal);
        for (var i = 0; i < types.Count; i++)
        {
            var (type, requestId) = (types[i], requestIds[i]);
            runs[type] = ReliabilityHosts.CheckAsync(async () =>
            {
                await RequestJourney.FinishAsync(api, type, requestId);
                var workflow = await api.WaitForWorkflowAsync(requestId, TimeSpan.FromSeconds(90));
                workflow.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, workflow.FailureDetails?.ToString());
            });
        }

        await Task.WhenAll(runs.Values).ContinueWith(_ => { }, TaskScheduler.Default);
        var history = storage.Tables.GetTableClient(host.TaskHub + "History");
        var failedSteps = (await Task.WhenAll(requestIds.Select(id => RequestJourney.EngineEventsAsync(history, id)))).Sum(e => e.Count(x => x == "TaskFailed"));
        TestContext.Current.TestOutputHelper?.WriteLine($"all completed {back.Elapsed.TotalSeconds:0.0} s after storage came back; activities failed in the engine's histories: {failedSteps}; statuses at the stop: {string.Join(", ", types.Select((t, i) => $"{t} {statusesAtStop[i]}"))}; stopped cleanly in {storage.LastStop.TotalSeconds:0.0} s: {storage.StoppedCleanly}");
        ReliabilityHosts.Failures(runs).ShouldBeEmpty();

        // Assert: storage went away under open workflows...
        storage.StoppedCleanly.ShouldBeTrue();
        statusesAtStop.Count(s => s != RequestStatus.Completed).ShouldBeGreaterThanOrEqualTo(2, "the withdrawal and the erasure at least were open at the stop");

        // ...and each request's work was done once: once in the engine, one request per study, once in the product.
        await ReliabilityHosts.AssertEachCompletedOnceAsync(api, storage.Tables, http, host.TaskHub, types, subjects, requestIds);
    }

    [Fact]
    public async Task A_sweep_that_storage_restarts_under_completes_and_certifies_every_item_exactly_once()
    {
        // Arrange: a host on an Azurite of the test's own, on disk, sweeping 2 blobs to an activity one batch at a time; a
        // study of 120 recordings past its deletion date.
        await using var storage = await DiskStorage.StartAsync(Ct);
        await using var host = await ReliabilityHosts.StartHostAsync(env, storage.ConnectionString, new Dictionary<string, string?>
        {
            ["Retention:BatchSize"] = "2",
            ["Retention:MaxParallelBatches"] = "1",
            ["Retention:MaxParallelDeletesPerBatch"] = "1",
        });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var recordings = storage.Blobs.GetBlobContainerClient(StorageLayout.Containers.Recordings);
        var names = Enumerable.Range(0, 120).Select(i => $"{studyId}/S-REST{i / 20:D4}/A-{i:D6}.wav").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (name, ct) => await recordings.GetBlobClient(name).UploadAsync(new BinaryData(new byte[] { 1, 2, 3 }), ct));
        using (var published = await http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", """{"publishedOn":"2024-09-30"}""", Role.Researcher), Ct))
        {
            published.StatusCode.ShouldBe(HttpStatusCode.OK, await published.Content.ReadAsStringAsync(Ct));
        }

        // Act: the sweep starts deleting; storage stops, stays away, and comes back.
        using (var run = await http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo), Ct))
        {
            run.StatusCode.ShouldBe(HttpStatusCode.Accepted, await run.Content.ReadAsStringAsync(Ct));
        }

        var firstBlob = recordings.GetBlobClient(names.Min(StringComparer.Ordinal));
        await Eventually.GetAsync(async () => (await firstBlob.ExistsAsync(Ct)).Value, exists => !exists, TimeSpan.FromSeconds(60), "the sweep to start deleting");
        await storage.StopAsync();
        await Task.Delay(Down, Ct);
        await storage.StartAgainAsync();
        var back = System.Diagnostics.Stopwatch.StartNew();
        var leftAtStop = (await ListAsync(storage, studyId + "/")).Count;
        var instance = await Eventually.GetAsync(() => durable.GetInstanceAsync(RetentionSweepOrchestration.InstanceIdFor(studyId), true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(90), "the sweep to finish after the restart");
        var finishedAfter = back.Elapsed;
        var failedSteps = (await RequestJourney.EngineEventsAsync(storage.Tables.GetTableClient(host.TaskHub + "History"), RetentionSweepOrchestration.InstanceIdFor(studyId))).Count(e => e == "TaskFailed");

        // Assert: storage went away mid-sweep, and the sweep finished: every blob gone, each certified once, one inventory.
        TestContext.Current.TestOutputHelper?.WriteLine($"finished {finishedAfter.TotalSeconds:0.0} s after storage came back; activities failed in the engine's history: {failedSteps}; left then: {leftAtStop} of {names.Count}; stopped cleanly in {storage.LastStop.TotalSeconds:0.0} s: {storage.StoppedCleanly}");
        storage.StoppedCleanly.ShouldBeTrue();
        leftAtStop.ShouldBeGreaterThan(0, "storage should have stopped with blobs left to delete");
        instance!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, instance.FailureDetails?.ToString());
        var result = instance.ReadOutputAs<RetentionSweepResult>()!;
        result.StillPresent.ShouldBe(0);
        (await ListAsync(storage, studyId + "/")).ShouldBeEmpty();
        using var certificate = await http.SendAsync(Staff.Get($"/api/certificates/{result.CertificateId}", Role.Dpo), Ct);
        certificate.StatusCode.ShouldBe(HttpStatusCode.OK);
        var items = (await certificate.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("blobName").GetString()!).ToList();
        items.Order(StringComparer.Ordinal).ShouldBe(names.Order(StringComparer.Ordinal), "every item once, those deleted before the stop included");
        var audit = await new AuditLog(storage.Tables, TimeProvider.System).QueryAsync(null, studyId, Ct);
        audit.Count(e => e.Action == AuditActions.RetentionSweepStarted).ShouldBe(1, "one inventory, taken once");
        audit.Count(e => e.Action == AuditActions.CertificateIssued).ShouldBe(1);
        (await ReliabilityHosts.AuditProblemsAsync(http, [studyId])).ShouldBeEmpty("the study's audit chain verifies");
    }

    private static async Task<List<string>> ListAsync(DiskStorage storage, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in storage.Blobs.GetBlobContainerClient(StorageLayout.Containers.Recordings).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, Ct))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
