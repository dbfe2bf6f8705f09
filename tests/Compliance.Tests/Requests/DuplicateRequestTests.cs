using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>
/// A second open request of the same type from the same participant is linked to the first by its workflow's first step, which
/// then closes it: no acknowledgement, no code, and the participant is told their open request goes on.
/// </summary>
public sealed class DuplicateRequestTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_second_open_request_of_the_same_type_is_linked_to_the_first_and_closes_without_acknowledgement_or_code()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var (firstId, firstAnswer) = await SubmitAsync(studyId, "access", held);
        await Eventually.GetAsync(() => new RequestStore(env.Tables).FindAsync(firstId, Ct), r => r?.Status == RequestStatus.AwaitingVerification, because: "the first request to wait for its code");

        var (secondId, secondAnswer) = await SubmitAsync(studyId, "access", held.ToUpperInvariant());
        var (otherTypeId, _) = await SubmitAsync(studyId, "opt-out", held);

        // The answer looks like any other: it does not show that the address belongs to a participant.
        secondAnswer.GetProperty("status").GetString().ShouldBe(firstAnswer.GetProperty("status").GetString());
        var workflow = await Eventually.GetAsync(
            () => env.Durable.GetInstanceAsync(secondId, getInputsAndOutputs: true, Ct),
            i => i?.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed,
            because: "the duplicate's workflow to link it and finish");
        workflow!.SerializedOutput!.ShouldContain($"\"{RequestStatus.Duplicate}\"");
        var second = (await new RequestStore(env.Tables).FindAsync(secondId, Ct))!;
        second.Status.ShouldBe(RequestStatus.Duplicate);
        second.DuplicateOf.ShouldBe(firstId);
        var outbox = new Outbox(env.Blobs);
        (await outbox.ListAsync($"requests/{secondId}/", Ct)).ShouldBe([Outbox.BlobNameFor(secondId, EmailKind.Duplicate)], "the duplicate notice only: no acknowledgement, no code");
        var notice = await outbox.ReadAsync(Outbox.BlobNameFor(secondId, EmailKind.Duplicate), Ct);
        notice.TextBody!.ShouldContain(firstId);
        notice.Subject!.ShouldContain(secondId);

        using var view = await env.Http.SendAsync(Staff.Get($"/api/requests/{secondId}", "Dpo"), Ct);
        (await view.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("duplicateOf").GetString().ShouldBe(firstId);

        // Another type from the same participant is a request of its own.
        (await Eventually.GetAsync(() => new RequestStore(env.Tables).FindAsync(otherTypeId, Ct), r => r?.Status == RequestStatus.AwaitingVerification, because: "its own code"))!
            .DuplicateOf.ShouldBeNull();
        var audit = await new Compliance.Audit.AuditLog(env.Tables, TimeProvider.System).QueryAsync(secondId, studyId, Ct);
        audit.Select(e => e.Action).ShouldBe([Compliance.Audit.AuditActions.RequestReceived, Compliance.Audit.AuditActions.RequestDuplicate]);
    }

    private async Task<(string Id, JsonElement Answer)> SubmitAsync(string studyId, string type, string email)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", JsonSerializer.Serialize(new { studyId, type, email })), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return (answer.GetProperty("requestId").GetString()!, answer);
    }
}
