using Compliance.Requests;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>The requests table against Azurite: creation is once only, steps are recorded once however often they run.</summary>
public sealed class RequestStoreTests(TestEnvironment env)
{
    private RequestStore Store => new(env.Tables);

    private static DataSubjectRequestRecord NewRequest(string? id = null) => new()
    {
        RequestId = id ?? RequestId.New(DateTimeOffset.UtcNow),
        StudyId = "MPATI",
        Type = RequestType.Access,
        Channel = RequestChannel.Web,
        ReceivedAt = DateTimeOffset.UtcNow,
        Status = RequestStatus.Received,
        RequesterEmail = "store@example.org",
        EnteredBy = "participant",
    };

    [Fact]
    public async Task A_request_id_is_used_once()
    {
        var request = NewRequest();

        (await Store.TryCreateAsync(request, TestContext.Current.CancellationToken)).ShouldBeTrue();
        (await Store.TryCreateAsync(request with { RequesterEmail = "other@example.org" }, TestContext.Current.CancellationToken)).ShouldBeFalse();

        (await Store.FindAsync(request.RequestId, TestContext.Current.CancellationToken))!.RequesterEmail.ShouldBe("store@example.org");
    }

    [Fact]
    public async Task A_step_run_again_later_is_recorded_once_with_its_first_time()
    {
        // An activity re-run after a crash can carry a later orchestration time; the step key keeps the history to one entry.
        var request = NewRequest();
        await Store.TryCreateAsync(request, TestContext.Current.CancellationToken);
        var first = request.ReceivedAt.AddSeconds(1);

        var acknowledged = DataSubjectRequest.From(request, r => r.Acknowledge());

        (await Store.SaveAsync(acknowledged, "acknowledged", "acknowledged", "system", first, TestContext.Current.CancellationToken)).ShouldBeTrue();
        (await Store.SaveAsync(acknowledged, "acknowledged", "acknowledged", "system", first.AddMinutes(5), TestContext.Current.CancellationToken)).ShouldBeFalse();

        var history = await Store.GetHistoryAsync(request.RequestId, TestContext.Current.CancellationToken);
        history.Select(h => (h.Event, h.At)).ShouldBe([("received", request.ReceivedAt), ("acknowledged", first)]);
        (await Store.FindAsync(request.RequestId, TestContext.Current.CancellationToken))!.Status.ShouldBe(RequestStatus.Acknowledged);
    }

    [Fact]
    public async Task An_id_carrying_OData_syntax_finds_nothing_and_changes_nothing()
    {
        var request = NewRequest();
        await Store.TryCreateAsync(request, TestContext.Current.CancellationToken);

        (await Store.FindAsync("x' or PartitionKey ne '", TestContext.Current.CancellationToken)).ShouldBeNull();
        (await Store.GetHistoryAsync("x' or PartitionKey ne '", TestContext.Current.CancellationToken)).ShouldBeEmpty();
        await Store.DeleteAsync("x' or PartitionKey ne '", TestContext.Current.CancellationToken);

        (await Store.FindAsync(request.RequestId, TestContext.Current.CancellationToken)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Delete_removes_the_request_and_its_history()
    {
        var request = NewRequest();
        await Store.TryCreateAsync(request, TestContext.Current.CancellationToken);

        await Store.DeleteAsync(request.RequestId, TestContext.Current.CancellationToken);

        (await Store.FindAsync(request.RequestId, TestContext.Current.CancellationToken)).ShouldBeNull();
        (await Store.GetHistoryAsync(request.RequestId, TestContext.Current.CancellationToken)).ShouldBeEmpty();
    }
}
