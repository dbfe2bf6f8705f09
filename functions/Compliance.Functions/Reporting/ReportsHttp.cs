using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Reporting;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Reporting;

/// <summary>
/// <c>GET /api/reports/requests?studyId=&amp;from=&amp;to=&amp;format=</c> (DPO): a study's requests in a period, by type and
/// channel, the share answered on time, the median days to close, extensions and refusals by exemption; JSON, or CSV with
/// <c>format=csv</c>. <c>from</c> and <c>to</c> are UK dates, both included; by default the twelve months to today.
/// </summary>
public sealed class ReportsHttp(RequestReports reports, StudyStore studies, TimeProvider time)
{
    internal static readonly string[] DpoOnly = [Role.Dpo];

    [Function(nameof(GetRequestReport))]
    public async Task<IActionResult> GetRequestReport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/reports/requests")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, DpoOnly);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        var (query, problem) = Read(req.Query, UkTime.DateOf(time.GetUtcNow()));
        if (problem is not null)
        {
            return problem;
        }

        if (await studies.FindStudyAsync(query!.StudyId, cancellationToken) is null)
        {
            return ApiProblem.NotFound("There is no study with that id.");
        }

        var report = await reports.BuildAsync(query.StudyId, query.From, query.To, cancellationToken);
        return query.Csv
            ? new FileContentResult(System.Text.Encoding.UTF8.GetBytes(RequestReports.ToCsv(report)), "text/csv; charset=utf-8") { FileDownloadName = $"requests-{report.StudyId}-{report.From:yyyy-MM-dd}-{report.To:yyyy-MM-dd}.csv" }
            : new OkObjectResult(report);
    }

    private sealed record ReportQuery(string StudyId, DateOnly From, DateOnly To, bool Csv);

    /// <summary>The query, or a 400 naming each bad parameter.</summary>
    private static (ReportQuery? Query, IActionResult? Problem) Read(IQueryCollection query, DateOnly today)
    {
        var reader = new QueryReader(query);
        reader.RejectUnknown(["studyId", "from", "to", "format"]);
        var studyId = reader.Text("studyId", StudyIds.IsWellFormed, "must be a study id.");
        if (studyId is null)
        {
            reader.Add("studyId", "is required.");
        }

        var to = reader.Date("to") ?? today;
        var from = reader.Date("from") ?? to.AddYears(-1).AddDays(1);
        if (from > to)
        {
            reader.Add("from", "must be on or before 'to'.");
        }

        var format = reader.Text("format", f => f is "json" or "csv", "must be json or csv.");
        return reader.Problem() is { } problem ? (null, problem) : (new ReportQuery(studyId!, from, to, format == "csv"), null);
    }
}
