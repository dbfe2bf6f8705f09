using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Compliance.Functions;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Retention;
using Compliance.SelfHost;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>
/// A deployment while workflows run (ADR 0015): nodes of two releases, one after the other or side by side, on one task hub
/// in Azurite. Instances keep the steps of the version that started them; a node never runs an instance newer than itself.
/// </summary>
public sealed class UpgradeTests(TestEnvironment env)
{
    private const string LongAgo = "2024-07-10";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sweep_started_before_an_upgrade_finishes_on_its_old_steps_and_one_started_after_runs_the_new_steps()
    {
        // Arrange: two studies due for deletion, each with a supplier to tell; one task hub for both releases.
        var hub = TestEnvironment.NewTaskHubName();
        var (before, beforeSupplier) = await StudyDueWithSupplierAsync();
        var (after, afterSupplier) = await StudyDueWithSupplierAsync();

        // Act 1: a node of the release before (version 1) starts a sweep, which tells the supplier and waits.
        var oldNode = await StartNodeAsync(hub, WorkflowVersion.First);
        var beforeId = RetentionSweepOrchestration.InstanceIdFor(before);
        await using (oldNode)
        {
            using var http = TestEnvironment.ClientFor(oldNode.BaseAddress);
            await RunSweepAsync(http, before);
            await WaitingForSupplierAsync(oldNode, beforeId);
        }

        // Act 2: the upgraded node (the current version) on the same storage and task hub; a sweep of the other study starts
        // on it; the DPO records both suppliers' confirmations.
        await using var newNode = await StartNodeAsync(hub, WorkflowVersion.Current);
        using var newHttp = TestEnvironment.ClientFor(newNode.BaseAddress);
        var afterId = RetentionSweepOrchestration.InstanceIdFor(after);
        await RunSweepAsync(newHttp, after);
        await WaitingForSupplierAsync(newNode, afterId);
        await ConfirmSupplierAsync(newHttp, beforeId);
        await ConfirmSupplierAsync(newHttp, afterId);

        // Assert: both finish and certify; each ran the steps of its own version, in the engine's own history.
        var history = env.Tables.GetTableClient(hub + "History");
        foreach (var (instanceId, version, supplier) in new[] { (beforeId, WorkflowVersion.First, beforeSupplier), (afterId, WorkflowVersion.Current, afterSupplier) })
        {
            var done = await FinishedAsync(newNode, instanceId);
            done.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, done.FailureDetails?.ToString());
            var result = done.ReadOutputAs<RetentionSweepResult>()!;
            result.Outcome.ShouldBe("swept");
            result.StillPresent.ShouldBe(0);
            (await CertificateAsync(newHttp, result.CertificateId!)).GetProperty("recipientsTold").EnumerateArray().ShouldHaveSingleItem().GetString()!.ShouldStartWith($"{supplier}: told, confirmed");
            (await StartedVersionAsync(history, instanceId)).ShouldBe(version);
        }

        var oldSteps = await StepsAsync(history, beforeId);
        var newSteps = await StepsAsync(history, afterId);
        oldSteps.IndexOf(nameof(SweepDeletionActivities.PurgeStudyHistories)).ShouldBeLessThan(oldSteps.IndexOf(nameof(SweepSupplierNotices.NotifySweepSuppliers)), string.Join(", ", oldSteps));
        newSteps.IndexOf(nameof(SweepDeletionActivities.PurgeStudyHistories)).ShouldBeGreaterThan(newSteps.IndexOf(nameof(SweepSupplierNotices.NotifySweepSuppliers)), string.Join(", ", newSteps));
        foreach (var steps in new[] { oldSteps, newSteps })
        {
            steps[^1].ShouldBe(nameof(SweepCertificateActivities.IssueCertificate));
            steps.ShouldBeUnique("each step scheduled once: no replay went astray");
        }
    }

    [Fact]
    public async Task A_node_of_an_older_version_leaves_an_instance_of_a_newer_one_untouched()
    {
        // Arrange: a node of the release before, alone on its task hub, whose worker logs what it refuses.
        var hub = TestEnvironment.NewTaskHubName();
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var instanceId = RetentionSweepOrchestration.InstanceIdFor(studyId);
        var logs = new LogCapture();
        await using var oldNode = await StartNodeAsync(hub, WorkflowVersion.First, logs);
        var client = oldNode.Services.GetRequiredService<DurableTaskClient>();

        // Act: an instance of the current version arrives (as one a newer node started would, mid-deployment).
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(RetentionSweepOrchestration.RetentionSweep),
            new RetentionSweepInput(studyId),
            new StartOrchestrationOptions { InstanceId = instanceId, Version = WorkflowVersion.Current },
            Ct);

        // Assert: the old node met it, refused it and left it as it was: pending, not one step taken. (Who takes it then:
        // in Azure a newer node; here the in-process sidecar's abandon is a no-op, so it stays with this node until its
        // process ends: docs/reliability.md.)
        await logs.WaitForAnyAsync(l => l.Message.Contains("versioning requirements", StringComparison.Ordinal), "the old node to meet the newer instance and refuse it");
        (await client.GetInstanceAsync(instanceId, Ct))!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Pending);
        (await StepsAsync(env.Tables.GetTableClient(hub + "History"), instanceId)).ShouldBeEmpty();
    }

    /// <summary>A node of the release whose workflow version is <paramref name="version"/>, on <paramref name="hub"/>.</summary>
    private Task<SelfHostApplication> StartNodeAsync(string hub, string version, LogCapture? logs = null) =>
        env.StartHostAsync(
            trustPrincipalHeader: true,
            new Dictionary<string, string?>
            {
                ["DurableTaskHubName"] = hub,
                ["SelfHost:Durable:WorkflowVersion"] = version,
                ["Logging:LogLevel:Microsoft.DurableTask"] = "Information",
            },
            logs is null ? null : logs.AddTo);

    /// <summary>A study past its deletion date with one interview, transcribed by a supplier of its own.</summary>
    private async Task<(string StudyId, string SupplierId)> StudyDueWithSupplierAsync()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, supplierId, "deletions@told.example");
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId, $"u.{Guid.NewGuid():N}@example.org");
        var session = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, LongAgo, supplierId, participant);
        await StudyApi.UploadAsync(env.Http, studyId, session, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        using var published = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", """{"publishedOn":"2024-09-30"}""", Role.Researcher), Ct);
        published.StatusCode.ShouldBe(HttpStatusCode.OK, await published.Content.ReadAsStringAsync(Ct));
        return (studyId, supplierId);
    }

    private static async Task RunSweepAsync(HttpClient http, string studyId)
    {
        using var response = await http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
    }

    private static Task<OrchestrationMetadata?> WaitingForSupplierAsync(SelfHostApplication node, string instanceId) =>
        Eventually.GetAsync(
            () => node.Services.GetRequiredService<DurableTaskClient>().GetInstanceAsync(instanceId, true, Ct),
            i => i?.SerializedCustomStatus?.Contains("awaiting-supplier-confirmations", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30),
            "the sweep to wait for its supplier");

    private static async Task<OrchestrationMetadata> FinishedAsync(SelfHostApplication node, string instanceId) =>
        (await Eventually.GetAsync(
            () => node.Services.GetRequiredService<DurableTaskClient>().GetInstanceAsync(instanceId, true, Ct),
            i => i is { IsCompleted: true },
            TimeSpan.FromSeconds(30),
            "the workflow to finish"))!;

    /// <summary>The DPO records the confirmation of the sweep's one supplier task.</summary>
    private static async Task ConfirmSupplierAsync(HttpClient http, string instanceId)
    {
        using var tasks = await http.SendAsync(Staff.Get($"/api/tasks?requestId={instanceId}", Role.Dpo), Ct);
        tasks.StatusCode.ShouldBe(HttpStatusCode.OK, await tasks.Content.ReadAsStringAsync(Ct));
        var taskId = (await tasks.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasks").EnumerateArray().ShouldHaveSingleItem().GetProperty("taskId").GetString();
        using var complete = await http.SendAsync(Staff.PostJson($"/api/tasks/{taskId}/complete", """{"outcome":"confirmed"}""", Role.Dpo), Ct);
        complete.StatusCode.ShouldBe(HttpStatusCode.OK, await complete.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<JsonElement> CertificateAsync(HttpClient http, string id)
    {
        using var response = await http.SendAsync(Staff.Get($"/api/certificates/{id}", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>The activities the engine scheduled for the instance, in its history's order.</summary>
    private static async Task<List<string>> StepsAsync(TableClient history, string instanceId)
    {
        var steps = new List<string>();
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and EventType eq {"TaskScheduled"}"), cancellationToken: Ct))
        {
            steps.Add(row.GetString("Name") ?? string.Empty);
        }

        return steps;
    }

    /// <summary>The version the instance was started with, from its history's first event.</summary>
    private static async Task<string?> StartedVersionAsync(TableClient history, string instanceId)
    {
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId} and EventType eq {"ExecutionStarted"}"), cancellationToken: Ct))
        {
            return row.GetString("Version");
        }

        return null;
    }
}
