using Compliance.Requests;
using Compliance.SelfHost;
using Compliance.Storage;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Requests;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>
/// Work done while storage misbehaves: a self-host (the app and the Durable engine) reaches Azurite through a
/// <see cref="StorageFaultProxy"/> that answers some calls of every service <c>503 ServerBusy</c>, fails some with
/// <c>500</c> after they took effect, and delays others; each piece of work still completes, and exactly once.
/// </summary>
public sealed class StorageFaultTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_task_completion_whose_answer_was_lost_still_resumes_the_workflow()
    {
        // Arrange: a query waiting for the DPO's review, on a host behind the proxy.
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await StartHostOnAsync(proxy);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var api = new RequestApi(http, env.Tables, env.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
        var subject = await RequestJourney.ArrangeAsync(env.Http, "lost");
        var requestId = await api.SubmitAsync(new { studyId = subject.StudyId, type = RequestType.Query, email = subject.Email });
        await api.OpenTaskAsync(requestId, TaskKind.DpoReview);

        // Act: the task's row is written, but the answer is lost once (a 500 after storage applied it); the SDK retries.
        var lost = new FaultRule
        {
            Service = StorageService.Table,
            Action = FaultAction.InternalError,
            AfterForward = true,
            Times = 1,
            Match = c => c.Method is "PATCH" or "MERGE" && c.Path.Contains($"/{StorageLayout.Tables.Tasks}(", StringComparison.Ordinal),
        };
        using (proxy.Inject(lost))
        {
            await api.CompleteTaskAsync(requestId, TaskKind.DpoReview, TaskOutcome.Resolved);
        }

        // Assert: the completion was this one (not refused as another's), so the workflow heard of it and finished.
        lost.Fired.ShouldBe(1, proxy.Describe());
        (await api.WaitForWorkflowAsync(requestId, TimeSpan.FromSeconds(30))).RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        await RequestJourney.AssertCompletedOnceAsync(api, env.Tables, RequestType.Query, requestId, subject);
    }

    /// <summary>Starts a self-host whose app and engine reach storage through <paramref name="proxy"/>, with a task hub of its own.</summary>
    private Task<SelfHostApplication> StartHostOnAsync(StorageFaultProxy proxy, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase)
        {
            [StorageConnection.SettingName] = proxy.ConnectionString,

            // A call that failed after it took effect can leave the engine holding a message it no longer tracks; it comes
            // back after this, as after a crash (SelfHostProcess does the same), instead of the 5-minute default.
            ["SelfHost:Durable:ControlQueueVisibilityTimeout"] = "00:00:10",
            ["SelfHost:Durable:WorkItemQueueVisibilityTimeout"] = "00:00:10",
        };
        return env.StartHostAsync(trustPrincipalHeader: true, values);
    }
}
