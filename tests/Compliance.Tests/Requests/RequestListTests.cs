using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary><c>GET /api/requests</c> as the console's work queue reads it: filters, soonest due first, pages by continuation.</summary>
public sealed class RequestListTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_requests_of_a_study_come_soonest_due_first_in_pages_that_together_hold_each_once()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var ids = new List<string>();
        foreach (var receivedAt in new[] { "2026-11-20T09:00:00Z", "2026-10-01T09:00:00Z", "2026-11-02T09:00:00Z" })
        {
            ids.Add(await api.SubmitAsync(new { studyId, type = "complaint", email = $"l.{Guid.NewGuid():N}@example.org", channel = "letter", receivedAt }, Role.Dpo));
        }

        foreach (var id in ids)
        {
            await api.WaitForAsync(id, r => r.DueDate is not null, "the clock to start");
        }

        var first = await PageAsync($"/api/requests?studyId={studyId}&open=true&order=due&limit=2");
        var second = await PageAsync($"/api/requests?studyId={studyId}&open=true&order=due&limit=2&continuation={Uri.EscapeDataString(first.GetProperty("continuation").GetString()!)}");

        var listed = first.GetProperty("requests").EnumerateArray().Concat(second.GetProperty("requests").EnumerateArray()).ToList();
        listed.Select(r => r.GetProperty("requestId").GetString()).ShouldBe([ids[1], ids[2], ids[0]], "soonest due first");
        listed.Select(r => r.GetProperty("dueDate").GetString()).ShouldBe(listed.Select(r => r.GetProperty("dueDate").GetString()).Order());
        listed[0].GetProperty("dueState").GetString().ShouldBe(DueState.Overdue, "received on 1 October, due on 1 November, open on " + DateTime.UtcNow.ToString("d MMMM", System.Globalization.CultureInfo.InvariantCulture));
        second.GetProperty("continuation").ValueKind.ShouldBe(JsonValueKind.Null, "the last page");
    }

    [Fact]
    public async Task Each_bad_parameter_is_named_and_a_forged_continuation_is_refused()
    {
        foreach (var (query, field) in new[]
        {
            ("type=lost", "type"), ("channel=fax", "channel"), ("order=oldest", "order"), ("limit=0", "limit"), ("limit=201", "limit"),
            ("open=maybe", "open"), ("continuation=%21%21", "continuation"), ("studyId=MPATI&studyId=OTHER", "studyId"),
        })
        {
            using var response = await env.Http.SendAsync(Staff.Get($"/api/requests?{query}", Role.Dpo), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, query);
            (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(query);
        }
    }

    private async Task<JsonElement> PageAsync(string path)
    {
        using var response = await env.Http.SendAsync(Staff.Get(path, Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
