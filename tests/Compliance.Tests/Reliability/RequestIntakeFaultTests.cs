using Compliance.Requests;
using Compliance.SelfHost;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Requests;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>
/// A request handed in while storage loses the answer to the write that records it: found by the soak
/// (<c>benchmarks -- soak</c>), where one participant's opt-out was stored twice.
/// </summary>
public sealed class RequestIntakeFaultTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_whose_recording_answer_was_lost_is_stored_once_and_runs_once()
    {
        // Arrange: a participant, and a host behind the proxy.
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var api = new RequestApi(http, env.Tables, env.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
        var subject = await RequestJourney.ArrangeAsync(env.Http, "lostcreate");

        // Act: the first table transaction of the submission (the request's row and its 'received' history) is applied,
        // but its answer is lost (a 500 after storage applied it); the SDK sends it again.
        var lost = FaultRule.LostAnswer(StorageService.Table, c => c.Method == "POST" && c.Path.EndsWith("/$batch", StringComparison.Ordinal));
        string requestId;
        using (proxy.Inject(lost))
        {
            requestId = await api.SubmitAsync(new { studyId = subject.StudyId, type = RequestType.OptOut, email = subject.Email });
        }

        // Assert: the retry met the write itself and took it as this request's, not as an id another request holds.
        lost.Fired.ShouldBe(1, proxy.Describe());
        (await api.Store.ListAsync(null, subject.StudyId, Ct)).Select(r => r.RequestId).ShouldBe([requestId], "one stored request");
        using var verified = await api.VerifyAsync(requestId, await api.CodeAsync(requestId));
        verified.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await api.WaitForWorkflowAsync(requestId, TimeSpan.FromSeconds(60))).RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        await RequestJourney.AssertCompletedOnceAsync(api, env.Tables, RequestType.OptOut, requestId, subject);
    }
}
