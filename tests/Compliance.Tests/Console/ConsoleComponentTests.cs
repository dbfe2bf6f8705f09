using Bunit;
using Compliance.Console.Api;
using Compliance.Console.Layout;
using Compliance.Console.Reporting;
using Compliance.Console.Requests;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;

namespace Compliance.Tests.Console;

/// <summary>
/// The console's components and rules on their own (bUnit renders them without a browser): what each role is shown, the
/// words for the API's values, the timeline's order, the error summary's links and the charts' text.
/// </summary>
public sealed class ConsoleComponentTests : IDisposable
{
    private readonly BunitContext context = new();

    public ConsoleComponentTests() => context.JSInterop.Mode = JSRuntimeMode.Loose;

    public void Dispose() => context.Dispose();

    [Fact]
    public void Each_role_is_offered_only_the_screens_the_API_lets_it_use()
    {
        string[] Labels(params string[] roles) => [.. NavItems.For(roles).Select(i => i.Label)];

        Labels(Role.Dpo).ShouldBe(["Requests", "Tasks", "Studies", "Audit", "Reporting", "Suppliers", "Anonymised transcripts"]);
        Labels(Role.Researcher).ShouldBe(["Requests", "Tasks", "Studies", "Anonymised transcripts"]);
        Labels(Role.Admin).ShouldBe(["Requests", "Tasks", "Studies", "Suppliers"]);
        Labels(Role.Transcriber).ShouldBe(["Recordings"]);
        Labels(Role.OnsAnalyst).ShouldBe(["Anonymised transcripts"], "an analyst is offered anonymised material and nothing else");
    }

    [Fact]
    public void Every_value_of_the_API_has_words_of_its_own()
    {
        foreach (var (values, words) in new (IReadOnlyList<string>, Func<string, string>)[]
        {
            (RequestType.All, Words.Type), (RequestStatus.All, Words.Status), (RequestChannel.All, Words.Channel), (RefusalExemption.All, Words.Exemption),
            (RequestAction.All, Words.Action), (SessionKind.All, Words.SessionKind), (ArtifactKind.All, Words.ArtifactKind), ([.. TaskKind.Outcomes.Keys], Words.TaskKind), ([.. TaskKind.Outcomes.Values.SelectMany(o => o).Distinct()], Words.Outcome),
        })
        {
            values.Select(words).ShouldAllBe(w => w.Length > 0);
            values.Where(v => words(v) == v).ShouldBeEmpty("a wire value shown as itself has no words yet");
            values.Select(words).Distinct().Count().ShouldBe(values.Count, "two values with the same words cannot be told apart");
        }

        Role.All.Select(Words.Role).ShouldBe(["DPO", "Researcher", "ONS analyst", "Transcriber", "Administrator"]);
        DueState.All.Select(Words.DueState).ShouldBe(["Overdue", "Due soon", "On time"]);
        Words.Count(1, "item").ShouldBe("1 item");
        Words.Count(3, "day").ShouldBe("3 days");
        Words.Count(2, "entry").ShouldBe("2 entries");
        Words.DaysFromToday(-2).ShouldBe("2 days ago");
    }

    [Fact]
    public void The_timeline_puts_history_emails_and_audit_entries_in_time_order()
    {
        var at = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        RequestHistoryEntry Step(int minutes, string name) => new(at.AddMinutes(minutes), name, RequestStatus.InProgress, "system");
        var email = new EmailView("acknowledgement", "out", "acknowledgement", "We have received your request", "r@example.org", "p@example.org", at, at.AddMinutes(2), null, EmailStates.Sent, 1, at.AddMinutes(3), null, null, null, "Hello", null);

        var entry = new Compliance.Audit.AuditEntry("study:MPATI", 7, at.AddMinutes(4), "system", "request.clock-started", "MPATI", "DSR-20261201-AAAAAAAA", new Dictionary<string, string>(), null, "0", "1");

        var items = Timeline.Of([Step(5, "clock-started"), Step(0, "received")], [email], [entry]);

        items.Select(i => i.What).ShouldBe(["Received", "Email: We have received your request", "Audit: request.clock-started", "Clock started"]);
        items[1].Detail.ShouldStartWith("sent on ");
        items[2].Detail.ShouldBe("by system; entry 7 of study:MPATI");
    }

    [Fact]
    public void The_error_summary_names_each_field_by_its_label_and_links_to_it()
    {
        var problem = new ProblemView("Bad", null, 400, new() { ["reason"] = ["is required."], ["exemption"] = ["must be one of: research."] });

        var summary = context.Render<ErrorSummary>(p => p
            .Add(c => c.Problem, problem)
            .Add(c => c.Fields, new Dictionary<string, string> { ["reason"] = "refuse-reason", ["exemption"] = "refuse-exemption" })
            .Add(c => c.Labels, new Dictionary<string, string> { ["reason"] = "Reason", ["exemption"] = "Exemption" }));

        var links = summary.FindAll("a");
        links.Select(a => a.TextContent).ShouldBe(["Reason is required.", "Exemption must be one of: research."]);
        links.Select(a => a.GetAttribute("href")!.Split('#')[1]).ShouldBe(["refuse-reason", "refuse-exemption"]);
        summary.Find(".error-summary").GetAttribute("role").ShouldBe("alert");
    }

    [Fact]
    public void A_chart_carries_each_bars_label_and_number_as_text_and_describes_itself()
    {
        var chart = context.Render<BarChart>(p => p
            .Add(c => c.Id, "by-type")
            .Add(c => c.Title, "Requests by type")
            .Add(c => c.Bars, [new BarChart.Bar("Complaint", 2), new BarChart.Bar("Query", 0)]));

        chart.Find("svg").GetAttribute("role").ShouldBe("img");
        chart.Find("title").TextContent.ShouldBe("Requests by type");
        chart.Find("desc").TextContent.ShouldBe("Complaint: 2; Query: 0");
        chart.FindAll("text").Select(t => t.TextContent).ShouldBe(["Complaint", "2", "Query", "0"]);
    }

    [Fact]
    public void A_due_state_is_always_written_not_only_coloured()
    {
        foreach (var state in DueState.All.Append(null))
        {
            var tag = context.Render<DueStateTag>(p => p.Add(c => c.State, state));
            tag.Find("strong").TextContent.ShouldBe(Words.DueState(state));
        }
    }
}
