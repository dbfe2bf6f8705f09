using System.Globalization;
using System.Text;
using Compliance.Requests;

namespace Compliance.Reporting;

/// <summary>
/// The DPO's figures for a study and a period (<see cref="RequestReport"/>), from the stored requests and, for those closed,
/// the history step that closed them; and the same figures as CSV.
/// </summary>
public sealed class RequestReports(RequestStore requests, RequestLists lists, TimeProvider time)
{
    public async Task<RequestReport> BuildAsync(string studyId, DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        var today = UkTime.DateOf(time.GetUtcNow());
        var received = (await requests.ListAsync(null, studyId, cancellationToken))
            .Where(r => UkTime.DateOf(r.ReceivedAt) is var day && day >= from && day <= to)
            .ToList();
        var closed = new List<(DataSubjectRequestRecord Request, DateOnly ClosedOn)>();
        foreach (var r in received.Where(r => !RequestStatus.IsOpen(r.Status)))
        {
            var history = await requests.GetHistoryAsync(r.RequestId, cancellationToken);
            var closing = history.Where(h => !RequestStatus.IsOpen(h.Status)).OrderBy(h => h.At).FirstOrDefault();
            closed.Add((r, UkTime.DateOf(closing?.At ?? r.ReceivedAt)));
        }

        var onTime = closed.Count(c => (c.Request.ExtendedTo ?? c.Request.DueDate) is not { } due || c.ClosedOn <= due);
        var days = closed.Select(c => (double)(c.ClosedOn.DayNumber - UkTime.DateOf(c.Request.ReceivedAt).DayNumber)).Order().ToList();
        var refused = received.Where(r => r.Status == RequestStatus.Refused).ToList();
        return new RequestReport(
            studyId,
            from,
            to,
            received.Count,
            received.Count(r => RequestStatus.IsOpen(r.Status)),
            received.Count(r => lists.DueStateOf(r, today) == DueState.Overdue),
            closed.Count,
            onTime,
            closed.Count == 0 ? null : (double)onTime / closed.Count,
            days.Count == 0 ? null : Median(days),
            received.Count(r => r.Extended),
            CountBy(received, r => r.Type, RequestType.All),
            CountBy(received, r => r.Channel, RequestChannel.All),
            CountBy(refused.Where(r => r.Decision?.Exemption is not null), r => r.Decision!.Exemption!, RefusalExemption.All),
            refused.Count(r => r.Type == RequestType.Withdraw && r.Decision?.Exemption == RefusalExemption.Research));
    }

    /// <summary>The report as CSV (RFC 4180): one row per figure, <c>figure,key,value</c>, invariant numbers.</summary>
    public static string ToCsv(RequestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder("figure,key,value\r\n");
        void Row(string figure, string key, object? value) =>
            csv.Append(CultureInfo.InvariantCulture, $"{figure},{key},{Convert.ToString(value, CultureInfo.InvariantCulture)}\r\n");
        Row("study", "", report.StudyId);
        Row("from", "", report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Row("to", "", report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Row("requests", "", report.Total);
        Row("open", "", report.Open);
        Row("overdue-now", "", report.OverdueNow);
        Row("closed", "", report.Closed);
        Row("answered-on-time", "", report.AnsweredOnTime);
        Row("on-time-share", "", report.OnTimeShare is { } share ? Math.Round(share, 4) : null);
        Row("median-days-to-close", "", report.MedianDaysToClose);
        Row("extensions", "", report.Extensions);
        Row("withdrawals-refused-research-exemption", "", report.WithdrawalsRefusedUnderResearchExemption);
        foreach (var (figure, counts) in new[] { ("by-type", report.ByType), ("by-channel", report.ByChannel), ("refusals-by-exemption", report.RefusalsByExemption) })
        {
            foreach (var c in counts)
            {
                Row(figure, c.Key, c.Count);
            }
        }

        return csv.ToString();
    }

    private static List<ReportCount> CountBy(IEnumerable<DataSubjectRequestRecord> requests, Func<DataSubjectRequestRecord, string> key, IReadOnlyList<string> keys)
    {
        var counts = requests.GroupBy(key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return keys.Select(k => new ReportCount(k, counts.GetValueOrDefault(k))).ToList();
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
