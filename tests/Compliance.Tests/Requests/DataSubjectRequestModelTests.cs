using Compliance.Deadlines;
using Compliance.Requests;

namespace Compliance.Tests.Requests;

/// <summary>
/// The request model on its own (pure, no storage): each DPO action fits or is refused with a code and words, and applied it
/// moves the status, the clock and the due date as the notice and the ICO's rules say.
/// </summary>
public sealed class DataSubjectRequestModelTests
{
    private static readonly DeadlineCalculator Deadlines = new(EnglandAndWalesBankHolidays.Default);

    // Tuesday 3 March 2026, 10:00 UK time (GMT): one month is Friday 3 April 2026, Good Friday, then Easter: due Tuesday the 7th.
    private static readonly DateTimeOffset Received = new(2026, 3, 3, 10, 0, 0, TimeSpan.Zero);

    private static DataSubjectRequest Running(string mode = VerificationMode.None)
    {
        var request = DataSubjectRequest.From(new DataSubjectRequestRecord
        {
            RequestId = "DSR-20260303-7KQ2M9XA",
            StudyId = "MPATI",
            Type = RequestType.Access,
            Channel = RequestChannel.Web,
            ReceivedAt = Received,
            Status = RequestStatus.Received,
            RequesterEmail = "model@example.org",
            EnteredBy = "participant",
        });
        request.Prepare(null, mode);
        request.Acknowledge();
        request.StartClock(Received, Deadlines);
        return request;
    }

    [Fact]
    public void Starting_the_clock_sets_the_due_date_with_its_derivation()
    {
        var request = Running();

        request.Status.ShouldBe(RequestState.InProgress);
        request.Type.ShouldBe(RequestKind.Access);
        request.State.DueDate.ShouldBe(new DateOnly(2026, 4, 7));
        request.State.DueDateDerivation.ShouldContain("due 2026-04-07");
    }

    [Fact]
    public void An_approval_before_the_clock_starts_is_refused_with_why()
    {
        var request = DataSubjectRequest.From(Running().Loaded);

        var rejection = request.Approve("dpo-1", Received);

        rejection.ShouldNotBeNull().Code.ShouldBe("clock-not-started");
        request.State.Decision.ShouldBeNull();
    }

    [Fact]
    public void A_decided_request_takes_no_second_decision()
    {
        var request = Running();
        request.Approve("dpo-1", Received.AddDays(1)).ShouldBeNull();

        var rejection = request.Refuse("dpo-2", Received.AddDays(2), RefusalExemption.Excessive, "again");

        rejection.ShouldNotBeNull().Code.ShouldBe("already-decided");
        rejection.Why.ShouldBe("It was approved on 2026-03-04 by dpo-1.");
    }

    [Fact]
    public void A_refusal_closes_the_request_and_nothing_fits_after_it_but_a_note()
    {
        var request = Running();

        request.Refuse("dpo-1", Received.AddDays(1), RefusalExemption.Excessive, "again").ShouldBeNull();

        request.Status.ShouldBe(RequestState.Refused);
        request.State.Outcome.ShouldBe(RequestDecision.Refused);
        request.Clarify(Received.AddDays(2), Deadlines).ShouldNotBeNull().Code.ShouldBe("closed");
        DataSubjectRequest.AddNote().ShouldBeNull();
    }

    [Fact]
    public void A_clarification_stops_the_clock_and_its_answer_moves_the_due_date_by_the_pause()
    {
        var request = Running();

        request.Clarify(Received.AddDays(5), Deadlines).ShouldBeNull();
        request.Status.ShouldBe(RequestState.Paused);
        request.State.DueDate.ShouldBeNull();
        request.Clarify(Received.AddDays(6), Deadlines).ShouldNotBeNull().Code.ShouldBe("already-paused");

        request.Resume(Received.AddDays(9), Deadlines).ShouldBeNull();

        request.Status.ShouldBe(RequestState.InProgress);
        request.State.PausedDays.ShouldBe(4);
        request.State.DueDate.ShouldBe(new DateOnly(2026, 4, 7)); // 3 April + 4 paused days, a working day
        request.Resume(Received.AddDays(10), Deadlines).ShouldNotBeNull().Code.ShouldBe("not-paused");
    }

    [Fact]
    public void An_extension_is_once_and_only_within_the_first_month()
    {
        var late = Running();
        late.Extend(Received.AddMonths(2), Deadlines).ShouldNotBeNull().Code.ShouldBe("first-month-passed");

        var request = Running();
        request.Extend(Received.AddDays(10), Deadlines).ShouldBeNull();

        request.State.DueDate.ShouldBe(new DateOnly(2026, 6, 3));
        request.State.ExtendedTo.ShouldBe(new DateOnly(2026, 6, 3));
        request.Extend(Received.AddDays(11), Deadlines).ShouldNotBeNull().Why.ShouldBe("It was already extended, to 2026-06-03.");
    }

    [Fact]
    public void An_extension_decided_while_the_clock_is_paused_holds_when_it_restarts()
    {
        var request = Running();
        request.Clarify(Received.AddDays(5), Deadlines).ShouldBeNull();

        request.Extend(Received.AddDays(6), Deadlines).ShouldBeNull();
        request.Resume(Received.AddDays(9), Deadlines).ShouldBeNull();

        request.IsExtended.ShouldBeTrue();
        request.State.DueDate.ShouldBe(new DateOnly(2026, 6, 8)); // 3 June + 4 paused days is a Sunday
        request.Extend(Received.AddDays(10), Deadlines).ShouldNotBeNull().Code.ShouldBe("already-extended");
    }

    [Fact]
    public void A_code_can_be_reissued_only_while_one_is_awaited()
    {
        var request = DataSubjectRequest.From(Running().Loaded);
        request.Prepare(null, VerificationMode.CodeToHeldAddress);
        request.AwaitCode();

        request.ReissueCode().ShouldBeNull();
        request.StartClock(Received.AddDays(1), Deadlines);
        request.ReissueCode().ShouldNotBeNull().Code.ShouldBe("not-awaiting-a-code");
    }

    [Fact]
    public void A_verified_requests_clock_starts_on_confirmation_and_keeps_saying_so_after_a_pause()
    {
        var request = DataSubjectRequest.From(Running().Loaded);
        request.Prepare(null, VerificationMode.CodeToHeldAddress);
        request.StartClock(Received.AddHours(2), Deadlines);

        request.Clarify(Received.AddDays(3), Deadlines).ShouldBeNull();
        request.Resume(Received.AddDays(4), Deadlines).ShouldBeNull();

        request.State.DueDateDerivation.ShouldContain("clock started on identity confirmation 2026-03-03 (day one)");
    }
}
