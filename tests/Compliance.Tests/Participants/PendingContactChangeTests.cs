using Compliance.Participants;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Participants;

/// <summary>A new email address replaces the held one only after the code sent to it is entered; codes count and lock as identity codes do.</summary>
public sealed class PendingContactChangeTests(TestEnvironment env)
{
    private const int MaxAttempts = 3;
    private static readonly DateTimeOffset At = new(2024, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PendingContactChanges Pending => env.Host.Services.GetRequiredService<PendingContactChanges>();

    private StudyStore Studies => new(env.Tables);

    [Fact]
    public async Task The_new_address_replaces_the_old_only_after_its_code_is_entered()
    {
        var (requestId, studyId, participant) = await NewAsync();
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "new@example.org", PendingContactChanges.HashCode(requestId, "123456"), At.AddDays(7), Ct);

        (await Pending.ApplyPendingEmailAsync(requestId, At, Ct)).ShouldBe(ContactChange.NotConfirmed);
        (await Studies.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!.Email.ShouldBe(participant.Email);

        (await Pending.CheckPendingEmailCodeAsync(requestId, "654321", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Rejected);
        (await Pending.CheckPendingEmailCodeAsync(requestId, " 123456 ", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Verified);
        (await Pending.CheckPendingEmailCodeAsync(requestId, "123456", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.AlreadyVerified);

        (await Pending.ApplyPendingEmailAsync(requestId, At.AddMinutes(1), Ct)).ShouldBe(ContactChange.Updated);
        (await Pending.ApplyPendingEmailAsync(requestId, At.AddMinutes(2), Ct)).ShouldBe(ContactChange.Unchanged);

        (await Studies.FindParticipantByEmailAsync(studyId, "new@example.org", Ct))!.ParticipantId.ShouldBe(participant.ParticipantId);
        (await Studies.FindParticipantByEmailAsync(studyId, participant.Email!, Ct)).ShouldBeNull();
        var pending = (await Pending.FindPendingEmailAsync(requestId, Ct))!;
        pending.NewEmail.ShouldBeNull("once applied, the address lives only in the participant's record");
        pending.AppliedAt.ShouldBe(At.AddMinutes(1));
        pending.ConfirmedAt.ShouldBe(At);
    }

    [Fact]
    public async Task Wrong_codes_lock_the_change_and_a_right_code_then_does_nothing()
    {
        var (requestId, studyId, participant) = await NewAsync();
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "new@example.org", PendingContactChanges.HashCode(requestId, "123456"), At.AddDays(7), Ct);

        (await Pending.CheckPendingEmailCodeAsync(requestId, "000001", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Rejected);
        (await Pending.CheckPendingEmailCodeAsync(requestId, "000002", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Rejected);
        (await Pending.CheckPendingEmailCodeAsync(requestId, "000003", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Locked);
        (await Pending.CheckPendingEmailCodeAsync(requestId, "123456", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Locked);

        (await Pending.ApplyPendingEmailAsync(requestId, At, Ct)).ShouldBe(ContactChange.NotConfirmed);

        // A new code (sent again to the new address) starts the count again.
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "new@example.org", PendingContactChanges.HashCode(requestId, "777777"), At.AddDays(7), Ct);
        (await Pending.CheckPendingEmailCodeAsync(requestId, "777777", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Verified);
    }

    [Fact]
    public async Task An_expired_code_does_not_confirm()
    {
        var (requestId, studyId, participant) = await NewAsync();
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "new@example.org", PendingContactChanges.HashCode(requestId, "123456"), At.AddDays(7), Ct);

        (await Pending.CheckPendingEmailCodeAsync(requestId, "123456", At.AddDays(7).AddSeconds(1), MaxAttempts, Ct)).ShouldBe(CodeCheck.Expired);
        (await Pending.ApplyPendingEmailAsync(requestId, At.AddDays(8), Ct)).ShouldBe(ContactChange.NotConfirmed);
    }

    [Fact]
    public async Task The_identity_code_of_the_request_cannot_confirm_the_new_address()
    {
        var (requestId, studyId, participant) = await NewAsync();
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "new@example.org", VerificationCodes.Hash(requestId, "123456"), At.AddDays(7), Ct);

        (await Pending.CheckPendingEmailCodeAsync(requestId, "123456", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Rejected);
    }

    [Fact]
    public async Task An_unknown_request_answers_as_a_wrong_code()
    {
        (await Pending.CheckPendingEmailCodeAsync(RequestId.New(At), "123456", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Rejected);
        (await Pending.ApplyPendingEmailAsync(RequestId.New(At), At, Ct)).ShouldBe(ContactChange.NotConfirmed);
    }

    [Fact]
    public async Task An_address_taken_by_another_participant_meanwhile_is_not_applied()
    {
        var (requestId, studyId, participant) = await NewAsync();
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "contested@example.org", PendingContactChanges.HashCode(requestId, "123456"), At.AddDays(7), Ct);
        await Pending.CheckPendingEmailCodeAsync(requestId, "123456", At, MaxAttempts, Ct);
        await Studies.TryAddParticipantAsync(NewParticipant(studyId, "Contested@example.org"), Ct);

        (await Pending.ApplyPendingEmailAsync(requestId, At, Ct)).ShouldBe(ContactChange.EmailInUse);

        (await Studies.FindParticipantAsync(studyId, participant.ParticipantId, Ct))!.Email.ShouldBe(participant.Email);
        (await Pending.FindPendingEmailAsync(requestId, Ct))!.AppliedAt.ShouldBeNull();
    }

    [Fact]
    public async Task Once_confirmed_a_pending_change_is_not_replaced()
    {
        var (requestId, studyId, participant) = await NewAsync();
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "new@example.org", PendingContactChanges.HashCode(requestId, "123456"), At.AddDays(7), Ct);
        await Pending.CheckPendingEmailCodeAsync(requestId, "123456", At, MaxAttempts, Ct);

        (await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "other@example.org", PendingContactChanges.HashCode(requestId, "999999"), At.AddDays(7), Ct)).ShouldBeFalse();

        (await Pending.FindPendingEmailAsync(requestId, Ct))!.NewEmail.ShouldBe("new@example.org");
    }

    [Fact]
    public async Task A_change_never_confirmed_can_be_discarded()
    {
        var (requestId, studyId, participant) = await NewAsync();
        await Pending.SetPendingEmailAsync(requestId, studyId, participant.ParticipantId, "new@example.org", PendingContactChanges.HashCode(requestId, "123456"), At.AddDays(7), Ct);

        await Pending.DiscardPendingEmailAsync(requestId, Ct);
        await Pending.DiscardPendingEmailAsync(requestId, Ct);

        (await Pending.FindPendingEmailAsync(requestId, Ct)).ShouldBeNull();
        (await Pending.CheckPendingEmailCodeAsync(requestId, "123456", At, MaxAttempts, Ct)).ShouldBe(CodeCheck.Rejected);
    }

    private async Task<(string RequestId, string StudyId, Participant Participant)> NewAsync()
    {
        var studyId = StudyApi.NewStudyId();
        var participant = NewParticipant(studyId, $"p.{Guid.NewGuid():N}@example.org");
        (await Studies.TryAddParticipantAsync(participant, Ct)).ShouldBeTrue();
        return (RequestId.New(At), studyId, participant);
    }

    private static Participant NewParticipant(string studyId, string email) => new()
    {
        StudyId = studyId,
        ParticipantId = PseudonymousId.New(PseudonymousId.Participant),
        Name = "Robin Example",
        Email = email,
        NoticeVersion = "PSMPS-QUAL-2024",
        RegisteredAt = At.AddMonths(-3),
    };
}
