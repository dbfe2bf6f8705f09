using System.Globalization;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Studies;

namespace Compliance.Participants;

/// <summary>Whether a withdrawal can be carried out; when not, the exemption it is refused under and why, in plain words without personal data.</summary>
public sealed record WithdrawalDecision(bool Eligible, string? Exemption, string? Reason)
{
    public static WithdrawalDecision Allowed { get; } = new(true, null, null);
}

/// <summary>
/// The notice's withdrawal promise as a rule: input is removed only if the request's clock started strictly before the
/// policy's cut-off and strictly before the day analysis started. Pure: the caller passes the clock start.
/// </summary>
public static class WithdrawalEligibility
{
    public static WithdrawalDecision Decide(StudyPolicy policy, Study study, DateOnly clockStart)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(study);
        var withdrawal = policy.Withdrawal;
        if (!string.Equals(withdrawal.CutOffRule, WithdrawalPolicy.Before, StringComparison.Ordinal))
        {
            // The policy reader accepts no other rule; deciding under one this code does not know would be a guess.
            throw new InvalidOperationException($"Unknown withdrawal cut-off rule '{withdrawal.CutOffRule}'.");
        }

        var afterCutOff = !withdrawal.IsInTime(clockStart);

        // Analysis has no time of day: on the day it started nobody can show the request came first, so that day counts as
        // too late, as the cut-off day itself does under "only possible before".
        var analysedSince = study.AnalysisStartedOn is { } started && started <= clockStart ? started : (DateOnly?)null;
        if (!afterCutOff && analysedSince is null)
        {
            return WithdrawalDecision.Allowed;
        }

        var reasons = new List<string>
        {
            $"Your request took effect on {Words(clockStart)} (the day we received it or, where we had to confirm your identity, the day you confirmed it).",
        };
        if (afterCutOff)
        {
            reasons.Add($"The privacy notice says that removing your input is possible only before {Words(withdrawal.CutOff)}.");
        }

        if (analysedSince is { } analysisStart)
        {
            reasons.Add($"Analysis of the study's data started on {Words(analysisStart)}, and input can be removed only before the data is analysed.");
        }

        reasons.Add("So we cannot remove your input from the study.");
        return new WithdrawalDecision(false, RefusalExemption.Research, string.Join(' ', reasons));
    }

    /// <summary>A date as a letter writes it: 5 September 2024.</summary>
    private static string Words(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}
