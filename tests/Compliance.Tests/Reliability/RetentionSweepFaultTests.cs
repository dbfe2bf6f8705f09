using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Compliance.Audit;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Retention;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>
/// A retention sweep while storage faults: a host behind the fault proxy sweeps a study past its deletion date in small
/// batches; it deletes exactly the due blobs, nothing a hold covers and nothing of a study whose id starts the same, and its
/// certificate lists each deleted item once.
/// </summary>
public sealed class RetentionSweepFaultTests(TestEnvironment env)
{
    private const string LongAgo = "2024-07-10";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sweep_while_storage_faults_deletes_exactly_the_due_blobs_and_certifies_each_once()
    {
        // Arrange: a study past its deletion date with 36 blobs in three containers, a held session whose recording must
        // stay, and a neighbour study (its id the study's and one more letter) whose blobs must stay too.
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var heldParticipant = await StudyApi.RegisterParticipantAsync(env.Http, studyId, $"held.{Guid.NewGuid():N}@example.org");
        var heldSession = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, LongAgo, heldParticipant);
        var heldArtifact = await StudyApi.UploadAsync(env.Http, studyId, heldSession, ArtifactKind.Recording, [9, 9, 9], "audio/wav");
        var heldBlob = (await new ArtifactStore(env.Tables, env.Blobs).FindAsync(studyId, heldArtifact, Ct))!.BlobName;
        var neighbour = await StudyApi.RegisterStudyAsync(env.Http, studyId + "X");
        string[] containers = [StorageLayout.Containers.Recordings, StorageLayout.Containers.Transcripts, StorageLayout.Containers.Notes];
        var due = Enumerable.Range(0, 36).Select(i => (Container: containers[i % 3], Name: $"{studyId}/S-FAULT{i / 6:D4}/A-{i:D6}.bin")).ToList();
        var outside = Enumerable.Range(0, 6).Select(i => (Container: containers[i % 3], Name: $"{neighbour}/S-NEXT{i:D4}/A-{i:D6}.bin")).ToList();
        await Parallel.ForEachAsync(due.Concat(outside), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (blob, ct) =>
            await env.Blobs.GetBlobContainerClient(blob.Container).GetBlobClient(blob.Name).UploadAsync(new BinaryData(new byte[] { 1, 2, 3 }), ct));
        await PostOkAsync("/api/holds", new { studyId, kind = HoldKind.Legal, scope = HoldScope.Session, targetId = heldSession, reason = "Claim pending", reviewOn = "2027-03-01" }, HttpStatusCode.Created);
        await PostOkAsync($"/api/studies/{studyId}/publication", new { publishedOn = "2024-09-30" }, HttpStatusCode.OK, Role.Researcher);

        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy, new Dictionary<string, string?>
        {
            ["Retention:BatchSize"] = "4",
            ["Retention:MaxParallelBatches"] = "2",
        });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();

        // Deletes of the study's blobs that take effect and lose their answer: the SDK's retry meets 404.
        var lostDeletes = new FaultRule
        {
            Service = StorageService.Blob,
            Action = FaultAction.InternalError,
            AfterForward = true,
            Fraction = 0.2,
            Match = c => c.Method == "DELETE" && c.Path.Contains($"/{studyId}/", StringComparison.Ordinal),
        };

        // Act: the DPO runs the sweep, with faults on every service, and it runs to its end.
        RetentionSweepResult result;
        using (proxy.Inject(lostDeletes))
        using (proxy.Inject(StorageFaultTests.Mix()))
        {
            using (var run = await RunAsync(http, studyId))
            {
                run.StatusCode.ShouldBe(HttpStatusCode.Accepted, await run.Content.ReadAsStringAsync(Ct));
            }

            var instance = await Eventually.GetAsync(() => durable.GetInstanceAsync(RetentionSweepOrchestration.InstanceIdFor(studyId), true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), "the sweep to finish");
            instance!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, instance.FailureDetails?.ToString());
            result = instance.ReadOutputAs<RetentionSweepResult>()!;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{proxy.Describe()}; deletes whose answer was lost: {lostDeletes.Fired}");

        // Assert: the faults fired, lost deletes among them...
        lostDeletes.Fired.ShouldBeGreaterThan(0, proxy.Describe());
        foreach (var service in Enum.GetValues<StorageService>())
        {
            proxy.Faults(service).ShouldBeGreaterThan(0, $"{service}: {proxy.Describe()}");
        }

        // ...every due blob is gone, nothing else is...
        result.Outcome.ShouldBe("swept");
        result.StillPresent.ShouldBe(0);
        foreach (var container in containers)
        {
            List<string> stays = container == StorageLayout.Containers.Recordings ? [heldBlob] : [];
            (await ListAsync(container, studyId + "/")).ShouldBe(stays, false, $"{container}: only the held recording stays");
            (await ListAsync(container, neighbour + "/")).ShouldBe(outside.Where(b => b.Container == container).Select(b => b.Name).Order(StringComparer.Ordinal).ToList(), false, $"{container}: the neighbour study is untouched");
        }

        // ...and the certificate lists each deleted item once, the held one not at all.
        using var certificateResponse = await env.Http.SendAsync(Staff.Get($"/api/certificates/{result.CertificateId}", Role.Dpo), Ct);
        certificateResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        var certificate = await certificateResponse.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var items = certificate.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("container").GetString()}/{i.GetProperty("blobName").GetString()}").ToList();
        items.ShouldBeUnique("each deleted item once");
        items.Order(StringComparer.Ordinal).ShouldBe(due.Select(b => $"{b.Container}/{b.Name}").Order(StringComparer.Ordinal), "exactly the due blobs");
        certificate.GetProperty("verification").GetProperty("result").GetString().ShouldBe("passed");
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, studyId, Ct);
        audit.Count(e => e.Action == AuditActions.RetentionSweepStarted).ShouldBe(1, "one inventory, taken once");
        audit.Count(e => e.Action == AuditActions.CertificateIssued).ShouldBe(1);
        (await ReliabilityHosts.AuditProblemsAsync(env.Http, [studyId, neighbour])).ShouldBeEmpty("the audit chains verify");
    }

    private static Task<HttpResponseMessage> RunAsync(HttpClient http, string studyId) =>
        http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo), Ct);

    private async Task PostOkAsync(string path, object body, HttpStatusCode expected, string role = Role.Dpo)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson(path, JsonSerializer.Serialize(body), role), Ct);
        response.StatusCode.ShouldBe(expected, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<List<string>> ListAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in env.Blobs.GetBlobContainerClient(container).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, States = BlobStates.Snapshots | BlobStates.Version }, Ct))
        {
            names.Add(blob.Name);
        }

        return names.Order(StringComparer.Ordinal).ToList();
    }
}
