using Compliance.Requests;
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

    /// <summary>
    /// The faults of these tests, on each of the three services: 4% of calls refused busy, 4% failed after they took
    /// effect (what shows whether a retried step is idempotent), 5% delayed by 150 ms.
    /// </summary>
    public static IEnumerable<FaultRule> Mix() =>
        Enum.GetValues<StorageService>().SelectMany(service => new[]
        {
            new FaultRule { Service = service, Action = FaultAction.ServerBusy, Fraction = 0.04 },
            new FaultRule { Service = service, Action = FaultAction.InternalError, AfterForward = true, Fraction = 0.04 },
            new FaultRule { Service = service, Action = FaultAction.Delay, Delay = TimeSpan.FromMilliseconds(150), Fraction = 0.05 },
        });

    [Fact]
    public async Task Every_request_type_completes_exactly_once_while_storage_faults()
    {
        // Arrange: a host on the proxy (faults off while it starts), and for each type a study, participant, interview and
        // supplier of its own, registered through the test run's host.
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var api = new RequestApi(http, env.Tables, env.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
        var types = RequestType.All.ToList();
        var subjects = await Task.WhenAll(types.Select(_ => RequestJourney.ArrangeAsync(env.Http, "faults")));

        // Act: every type at once, from its first step to its end, with faults on all three services.
        var runs = new Dictionary<string, Task<string>>(StringComparer.Ordinal);
        using (proxy.Inject(Mix()))
        {
            for (var i = 0; i < types.Count; i++)
            {
                runs[types[i]] = RunAsync(api, types[i], subjects[i]);
            }

            await Task.WhenAll(runs.Values).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        TestContext.Current.TestOutputHelper?.WriteLine(proxy.Describe());
        ReliabilityHosts.Failures(runs).ShouldBeEmpty(proxy.Describe());

        // Assert: the faults fired on every service...
        foreach (var service in Enum.GetValues<StorageService>())
        {
            proxy.Faults(service).ShouldBeGreaterThan(0, $"{service}: {proxy.Describe()}");
        }

        // ...and each request's work was done once: once in the engine, one request per study, once in the product.
        var requestIds = await Task.WhenAll(types.Select(t => runs[t]));
        await ReliabilityHosts.AssertEachCompletedOnceAsync(api, env.Tables, env.Http, host.TaskHub, types, subjects, requestIds);
    }

    [Fact]
    public async Task A_task_completion_whose_answer_was_lost_still_resumes_the_workflow()
    {
        // Arrange: a query waiting for the DPO's review, on a host behind the proxy.
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var api = new RequestApi(http, env.Tables, env.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
        var subject = await RequestJourney.ArrangeAsync(env.Http, "lost");
        var requestId = await api.SubmitAsync(new { studyId = subject.StudyId, type = RequestType.Query, email = subject.Email });
        await api.OpenTaskAsync(requestId, TaskKind.DpoReview);

        // Act: the task's row is written, but the answer is lost once (a 500 after storage applied it); the SDK retries.
        var lost = FaultRule.LostAnswer(StorageService.Table, c => c.Method is "PATCH" or "MERGE" && c.Path.Contains($"/{StorageLayout.Tables.Tasks}(", StringComparison.Ordinal));
        using (proxy.Inject(lost))
        {
            await api.CompleteTaskAsync(requestId, TaskKind.DpoReview, TaskOutcome.Resolved);
        }

        // Assert: the completion was this one (not refused as another's), so the workflow heard of it and finished.
        lost.Fired.ShouldBe(1, proxy.Describe());
        (await api.WaitForWorkflowAsync(requestId, TimeSpan.FromSeconds(30))).RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        await RequestJourney.AssertCompletedOnceAsync(api, env.Tables, RequestType.Query, requestId, subject);
    }

    /// <summary>One request of <paramref name="type"/> driven to its end; returns its id once its workflow has completed.</summary>
    private static async Task<string> RunAsync(RequestApi api, string type, RequestJourney.Subject subject)
    {
        var requestId = await RequestJourney.DriveToLastStepAsync(api, type, subject);
        await RequestJourney.FinishAsync(api, type, requestId);
        var workflow = await api.WaitForWorkflowAsync(requestId, TimeSpan.FromSeconds(60));
        workflow.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, workflow.FailureDetails?.ToString());
        return requestId;
    }
}
