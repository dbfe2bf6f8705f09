namespace Compliance.Reporting;

/// <summary>A count under a key: a request type, a channel or an exemption.</summary>
public sealed record ReportCount(string Key, int Count);

/// <summary>
/// The answer to <c>GET /api/reports/requests?studyId=&amp;from=&amp;to=</c>: a study's requests received from
/// <paramref name="From"/> to <paramref name="To"/> (UK dates, both included), as a DPO reports them.
/// </summary>
/// <remarks>
/// <c>answeredOnTime</c> counts closed requests closed on or before their due date (the extended one, if extended);
/// <c>onTimeShare</c> is that over <c>closed</c>, 0 to 1, null when none closed; <c>medianDaysToClose</c> is the median of
/// the calendar days from receipt to closing; <c>withdrawalsRefusedUnderResearchExemption</c> counts withdrawals refused
/// under the research exemption (after the cut-off, or once analysis began); <c>overdueNow</c> counts those open and overdue today.
/// </remarks>
public sealed record RequestReport(
    string StudyId,
    DateOnly From,
    DateOnly To,
    int Total,
    int Open,
    int OverdueNow,
    int Closed,
    int AnsweredOnTime,
    double? OnTimeShare,
    double? MedianDaysToClose,
    int Extensions,
    IReadOnlyList<ReportCount> ByType,
    IReadOnlyList<ReportCount> ByChannel,
    IReadOnlyList<ReportCount> RefusalsByExemption,
    int WithdrawalsRefusedUnderResearchExemption);
