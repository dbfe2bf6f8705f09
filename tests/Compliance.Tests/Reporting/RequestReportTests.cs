using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Reporting;

/// <summary><c>GET /api/reports/requests</c>: a study's figures for a period, as JSON and CSV, for the DPO only.</summary>
public sealed class RequestReportTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string DaysAgo(int days) => DateTime.UtcNow.Date.AddDays(-days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_studys_requests_are_counted_by_type_and_channel_with_the_share_answered_on_time_and_the_refusals_by_exemption()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var refused = await SubmitAsync(studyId, "complaint", DaysAgo(8));
        var overdue = await SubmitAsync(studyId, "query", DaysAgo(60));
        var extended = await SubmitAsync(studyId, "complaint", DaysAgo(10));
        var outside = await SubmitAsync(studyId, "query", DaysAgo(400));
        await api.ActOkAsync(refused, "refuse", new { reason = "You asked the same last week.", exemption = RefusalExemption.Excessive });
        await api.ActOkAsync(extended, "extend", new { reason = "The complaint needs the transcriber's account." });
        await api.WaitForStatusAsync(refused, RequestStatus.Refused);
        await api.WaitForAsync(extended, r => r.Extended, "the extension");

        var report = await GetJsonAsync($"/api/reports/requests?studyId={studyId}");
        using var csv = await env.Http.SendAsync(Staff.Get($"/api/reports/requests?studyId={studyId}&format=csv", Role.Dpo), Ct);

        report.GetProperty("total").GetInt32().ShouldBe(3, $"{outside} was received more than a year ago");
        report.GetProperty("open").GetInt32().ShouldBe(2);
        report.GetProperty("overdueNow").GetInt32().ShouldBe(1, $"{overdue} was due a month ago");
        report.GetProperty("closed").GetInt32().ShouldBe(1);
        report.GetProperty("answeredOnTime").GetInt32().ShouldBe(1);
        report.GetProperty("onTimeShare").GetDouble().ShouldBe(1);
        report.GetProperty("medianDaysToClose").GetDouble().ShouldBeInRange(7, 9, "received eight days ago, refused today (UK days)");
        report.GetProperty("extensions").GetInt32().ShouldBe(1);
        Counts(report, "byType").ShouldBe(RequestType.All.ToDictionary(t => t, t => t == "complaint" ? 2 : t == "query" ? 1 : 0));
        Counts(report, "byChannel")["letter"].ShouldBe(3);
        Counts(report, "refusalsByExemption").ShouldBe(new Dictionary<string, int> { [RefusalExemption.Research] = 0, [RefusalExemption.ManifestlyUnfounded] = 0, [RefusalExemption.Excessive] = 1 });
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var rows = (await csv.Content.ReadAsStringAsync(Ct)).Split("\r\n");
        rows[0].ShouldBe("figure,key,value");
        rows.ShouldContain("by-type,complaint,2");
        rows.ShouldContain("refusals-by-exemption,excessive,1");
        rows.ShouldContain("on-time-share,,1");
    }

    [Fact]
    public async Task Only_the_DPO_gets_a_report_and_each_bad_parameter_is_named()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        foreach (var role in new[] { Role.Researcher, Role.Admin, Role.OnsAnalyst, Role.Transcriber })
        {
            using var refused = await env.Http.SendAsync(Staff.Get($"/api/reports/requests?studyId={studyId}", role), Ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, role);
        }

        foreach (var (query, field) in new[]
        {
            ("", "studyId"), ($"studyId={studyId}&from=2026-13-01", "from"), ($"studyId={studyId}&from=2026-02-01&to=2026-01-01", "from"),
            ($"studyId={studyId}&format=xml", "format"), ($"studyId={studyId}&period=year", "period"), ($"studyId={studyId}&studyId=X", "studyId"),
        })
        {
            using var bad = await env.Http.SendAsync(Staff.Get($"/api/reports/requests?{query}", Role.Dpo), Ct);
            bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(query);
        }

        using var unknown = await env.Http.SendAsync(Staff.Get("/api/reports/requests?studyId=NO-SUCH-STUDY", Role.Dpo), Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<string> SubmitAsync(string studyId, string type, string receivedAt)
    {
        var id = await api.SubmitAsync(new { studyId, type, email = $"r.{Guid.NewGuid():N}@example.org", channel = "letter", receivedAt }, Role.Dpo);
        await api.WaitForAsync(id, r => r.DueDate is not null, "the clock to start");
        return id;
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await env.Http.SendAsync(Staff.Get(path, Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static Dictionary<string, int> Counts(JsonElement report, string name) =>
        report.GetProperty(name).EnumerateArray().ToDictionary(c => c.GetProperty("key").GetString()!, c => c.GetProperty("count").GetInt32());
}
