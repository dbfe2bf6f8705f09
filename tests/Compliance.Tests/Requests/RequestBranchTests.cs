using System.Net;
using Compliance.SelfHost.Demo;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Requests;

/// <summary>
/// The branches every request type shares, type by type, through the real engine: verified, wrong code and lock-out,
/// unverified and closed, duplicate, paused and resumed, extended, refused.
/// </summary>
public sealed class RequestBranchTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> AllTypes => new(RequestType.All);

    public static TheoryData<string> TypesNeedingVerification => new(VerificationMode.TypesNeedingVerification);

    [Theory]
    [MemberData(nameof(TypesNeedingVerification))]
    public async Task Wrong_codes_lock_the_code_and_a_new_one_from_the_DPO_verifies_and_starts_the_clock(string type)
    {
        var (studyId, held) = await StudyWithHeldAddressAsync();
        var requestId = await api.SubmitAsync(new { studyId, type, email = held });
        var code = await api.CodeAsync(requestId);
        var wrongCode = code == "999999" ? "888888" : "999999";

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await api.VerifyAsync(requestId, wrongCode);
            wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        using (var locked = await api.VerifyAsync(requestId, code))
        {
            locked.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "locked after the policy's five attempts");
        }

        await api.ActOkAsync(requestId, "reissue-code");
        using (var right = await api.VerifyAsync(requestId, await api.CodeAsync(requestId, "verification-code-2")))
        {
            right.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var started = await api.WaitForAsync(requestId, r => r.ClockStartedAt is not null, "the clock to start on verification");
        started.ClockStartedAt.ShouldBe(started.VerifiedAt);
    }

    [Theory]
    [MemberData(nameof(TypesNeedingVerification))]
    public async Task An_unverified_request_is_closed_with_a_notice_and_nothing_done(string type)
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("reminderAfter: 2 days", "reminderAfter: 1 seconds"), ("closeUnverifiedAfter: 30 days", "closeUnverifiedAfter: 3 seconds"));
        var held = $"p.{Guid.NewGuid():N}@example.org";
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);

        var requestId = await api.SubmitAsync(new { studyId, type, email = held });

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.ClosedUnverified);
        (await api.EmailAsync(requestId, "unverified-closed")).TextBody!.ShouldContain("Information Commissioner's Office");
        var participant = (await new StudyStore(env.Tables).FindParticipantAsync(studyId, participantId, Ct))!;
        participant.Email.ShouldBe(held, "nothing is done for an unverified request");
        participant.DoNotContact.ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task A_second_open_request_of_the_same_type_is_closed_by_its_workflow_as_a_duplicate(string type)
    {
        var (studyId, held) = await StudyWithHeldAddressAsync();
        var firstId = await api.SubmitAsync(new { studyId, type, email = held });
        await api.WaitForAsync(requestId: firstId, r => r.Status != RequestStatus.Received, "the first request to be under way");

        var secondId = await api.SubmitAsync(new { studyId, type, email = held });

        (await api.WaitForWorkflowAsync(secondId)).SerializedOutput!.ShouldContain($"\"{RequestStatus.Duplicate}\"");
        var second = (await api.Store.FindAsync(secondId, Ct))!;
        second.Status.ShouldBe(RequestStatus.Duplicate);
        second.DuplicateOf.ShouldBe(firstId);
        (await api.EmailKeysAsync(secondId)).ShouldBe(["duplicate"]);
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Any_type_can_be_refused_by_the_DPO_with_the_reason_the_ground_and_the_ICO(string type)
    {
        var (studyId, held) = await StudyWithHeldAddressAsync();
        var requestId = await api.SubmitAsync(new { studyId, type, email = held });
        await api.WaitForAsync(requestId, r => r.Status is RequestStatus.AwaitingVerification or RequestStatus.InProgress, "the request to wait for a code or the DPO");

        await api.ActOkAsync(requestId, "refuse", new { reason = $"Test refusal of a {type} request.", exemption = RefusalExemption.ManifestlyUnfounded });

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Refused);
        var refusal = await api.EmailAsync(requestId, "refusal");
        refusal.TextBody!.ShouldContain($"Test refusal of a {type} request.");
        refusal.TextBody!.ShouldContain("Article 12(5)");
        refusal.TextBody!.ShouldContain("Information Commissioner's Office");
        (await api.Store.FindAsync(requestId, Ct))!.Decision!.Exemption.ShouldBe(RefusalExemption.ManifestlyUnfounded);
    }

    /// <summary>Types whose work waits (for a task, a timer or a code) once the clock runs, so the DPO can pause and extend them.</summary>
    [Theory]
    [InlineData("access")]
    [InlineData("withdraw")]
    [InlineData("rectify-contact")]
    [InlineData("object")]
    [InlineData("complaint")]
    [InlineData("query")]
    public async Task A_running_request_can_be_paused_resumed_and_extended_and_then_goes_on(string type)
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[0].Email, DemoData.People[0].Name);
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, today, participantId);
        var requestId = type == "rectify-contact"
            ? await api.SubmitConfirmedAsync(studyId, type, DemoData.People[0].Email, changes: new { email = $"new.{Guid.NewGuid():N}@example.org" })
            : await api.SubmitConfirmedAsync(studyId, type, DemoData.People[0].Email);
        var running = await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");

        await api.ActOkAsync(requestId, "clarify", new { question = "Which session do you mean?" });
        (await api.WaitForStatusAsync(requestId, RequestStatus.Paused)).DueDate.ShouldBeNull();
        await api.ActOkAsync(requestId, "resume");
        await api.WaitForAsync(requestId, r => !r.IsPaused && r.DueDate == running.DueDate, "the clock to run again with its due date");
        await api.ActOkAsync(requestId, "extend", new { reason = "Several sessions to review." });
        var extended = await api.WaitForAsync(requestId, r => r.ExtendedTo is not null, "the extension");

        extended.DueDate.ShouldBe(extended.ExtendedTo);
        extended.DueDate!.Value.ShouldBeGreaterThan(running.DueDate!.Value);
        (await env.Durable.GetInstanceAsync(requestId, Ct))!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Running, "the work goes on after the pause");
        (await api.EmailKeysAsync(requestId)).ShouldContain(k => k.StartsWith("extension-", StringComparison.Ordinal));
    }

    private async Task<(string StudyId, string Held)> StudyWithHeldAddressAsync()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        return (studyId, held);
    }
}
