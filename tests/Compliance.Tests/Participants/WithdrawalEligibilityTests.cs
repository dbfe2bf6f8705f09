using Compliance.Participants;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Participants;

/// <summary>Withdrawal is possible only strictly before the policy's cut-off and before analysis started; refusals say why.</summary>
public sealed class WithdrawalEligibilityTests
{
    private static readonly StudyPolicy Mpati = PolicyReader.Read(File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml")), "mpati.yaml");

    private static DateOnly CutOff => Mpati.Withdrawal.CutOff;

    private static Study NewStudy(DateOnly? analysisStartedOn = null) => new()
    {
        StudyId = "T-ELIGIBILITY",
        Title = "A test study",
        PolicySource = "mpati",
        PolicyText = string.Empty,
        PolicyVersion = Mpati.PolicyVersion,
        NoticeVersion = Mpati.Notice.Version,
        EndOfDataCollection = new DateOnly(2024, 8, 30),
        AnalysisStartedOn = analysisStartedOn,
        RegisteredAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void The_day_before_the_cut_off_is_in_time()
    {
        var decision = WithdrawalEligibility.Decide(Mpati, NewStudy(), CutOff.AddDays(-1));

        decision.ShouldBe(new WithdrawalDecision(true, null, null));
    }

    [Fact]
    public void The_cut_off_day_itself_is_too_late()
    {
        var decision = WithdrawalEligibility.Decide(Mpati, NewStudy(), CutOff);

        decision.Eligible.ShouldBeFalse("the notice says only possible *before* the cut-off");
        decision.Exemption.ShouldBe(RefusalExemption.Research);
        decision.Reason.ShouldBe(
            "Your request took effect on 2 September 2024 (the day we received it or, where we had to confirm your identity, the day you confirmed it). " +
            "The privacy notice says that removing your input is possible only before 2 September 2024. " +
            "So we cannot remove your input from the study.");
    }

    [Fact]
    public void A_request_after_the_cut_off_is_refused_naming_both_dates()
    {
        var decision = WithdrawalEligibility.Decide(Mpati, NewStudy(), new DateOnly(2024, 9, 5));

        decision.Eligible.ShouldBeFalse();
        decision.Exemption.ShouldBe(RefusalExemption.Research);
        var reason = decision.Reason.ShouldNotBeNull();
        reason.ShouldContain("5 September 2024");
        reason.ShouldContain("only before 2 September 2024");
        reason.ShouldNotContain("Analysis");
    }

    [Fact]
    public void Before_the_cut_off_but_after_analysis_started_is_refused_naming_the_analysis_date()
    {
        var decision = WithdrawalEligibility.Decide(Mpati, NewStudy(analysisStartedOn: new DateOnly(2024, 8, 20)), new DateOnly(2024, 8, 28));

        decision.Eligible.ShouldBeFalse();
        decision.Exemption.ShouldBe(RefusalExemption.Research);
        var reason = decision.Reason.ShouldNotBeNull();
        reason.ShouldContain("Analysis of the study's data started on 20 August 2024", Case.Sensitive);
        reason.ShouldContain("28 August 2024");
        reason.ShouldNotContain("only before 2 September");
    }

    [Fact]
    public void The_day_analysis_starts_counts_as_too_late_and_the_day_before_does_not()
    {
        var study = NewStudy(analysisStartedOn: CutOff.AddDays(-10));

        WithdrawalEligibility.Decide(Mpati, study, CutOff.AddDays(-11)).Eligible.ShouldBeTrue();
        WithdrawalEligibility.Decide(Mpati, study, CutOff.AddDays(-10)).Eligible.ShouldBeFalse();
    }

    [Fact]
    public void Analysis_starting_after_the_request_does_not_stop_it()
    {
        WithdrawalEligibility.Decide(Mpati, NewStudy(analysisStartedOn: CutOff.AddDays(-1)), CutOff.AddDays(-5)).Eligible.ShouldBeTrue();
    }

    [Fact]
    public void After_the_cut_off_and_after_analysis_both_reasons_are_given()
    {
        var decision = WithdrawalEligibility.Decide(Mpati, NewStudy(analysisStartedOn: new DateOnly(2024, 8, 20)), new DateOnly(2024, 9, 5));

        var reason = decision.Reason.ShouldNotBeNull();
        reason.ShouldContain("only before 2 September 2024");
        reason.ShouldContain("started on 20 August 2024");
    }

    [Fact]
    public void The_cut_off_comes_from_the_policy()
    {
        var later = Mpati with { Withdrawal = Mpati.Withdrawal with { CutOff = new DateOnly(2025, 1, 31) } };

        WithdrawalEligibility.Decide(later, NewStudy(), new DateOnly(2025, 1, 30)).Eligible.ShouldBeTrue();
        WithdrawalEligibility.Decide(later, NewStudy(), new DateOnly(2025, 1, 31)).Reason!.ShouldContain("only before 31 January 2025");
    }

    [Fact]
    public void An_unknown_cut_off_rule_is_not_guessed_at()
    {
        var odd = Mpati with { Withdrawal = Mpati.Withdrawal with { CutOffRule = "on-or-before" } };

        Should.Throw<InvalidOperationException>(() => WithdrawalEligibility.Decide(odd, NewStudy(), CutOff.AddDays(-1)));
    }

    [Fact]
    public void Refusal_exemptions_are_known_by_code_and_carry_their_legal_basis()
    {
        RefusalExemption.All.ShouldBe(["research", "manifestly-unfounded", "excessive"]);
        RefusalExemption.All.ShouldAllBe(code => RefusalExemption.IsKnown(code));
        RefusalExemption.IsKnown("Research").ShouldBeFalse();
        RefusalExemption.IsKnown("other").ShouldBeFalse();
        RefusalExemption.IsKnown(null).ShouldBeFalse();
        RefusalExemption.LabelOf(RefusalExemption.Research).ShouldContain("Article 17(3)(d)");
        RefusalExemption.LabelOf(RefusalExemption.Research).ShouldContain("Schedule 2, paragraph 27");
        RefusalExemption.LabelOf(RefusalExemption.ManifestlyUnfounded).ShouldContain("Article 12(5)");
        RefusalExemption.LabelOf(RefusalExemption.Excessive).ShouldContain("Article 12(5)");
        Should.Throw<ArgumentOutOfRangeException>(() => RefusalExemption.LabelOf("other"));
    }
}
