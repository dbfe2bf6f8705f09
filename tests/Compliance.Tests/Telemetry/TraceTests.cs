using System.Diagnostics;
using System.Text;
using Compliance.Requests;
using Compliance.SelfHost.Demo;
using Compliance.SelfHost.Telemetry;
using Compliance.Telemetry;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Requests;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Compliance.Tests.Telemetry;

/// <summary>
/// Traces (docs/operations.md#traces-and-metrics): a request of every type run to its end on a host whose pipeline is the
/// self-host's own with an in-memory exporter. Each request's HTTP call starts one trace that reaches the Durable activities
/// of its workflow and their storage calls, all tagged with its id; and no span carries a name, an address, a phone number
/// or a requester's words.
/// </summary>
public sealed class TraceTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_request_is_one_trace_from_its_POST_to_its_activities_and_storage_calls_and_no_span_holds_personal_data()
    {
        // Arrange: a host exporting to memory, and for each type a study, participant, interview and supplier of its own.
        var spans = new SpanCollection();
        await using var host = await env.StartHostAsync(
            trustPrincipalHeader: true,
            configureServices: services => SelfHostTelemetry.AddPipeline(services).WithTracing(tracing => tracing.AddInMemoryExporter(spans)));
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var api = new RequestApi(http, env.Tables, env.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
        var marker = Guid.NewGuid().ToString("N")[..10];
        var words = $"Please remove what I said about my manager {marker}";
        var types = RequestType.All.ToList();
        var subjects = await Task.WhenAll(types.Select(_ => RequestJourney.ArrangeAsync(http, $"traces{marker}")));

        // Act: every type from its first step to its end, each with the requester's own words.
        var requestIds = await Task.WhenAll(types.Select(async (type, i) =>
        {
            var id = await RequestJourney.DriveToLastStepAsync(api, type, subjects[i], details: words);
            await RequestJourney.FinishAsync(api, type, id);
            (await api.WaitForWorkflowAsync(id, TimeSpan.FromSeconds(60))).RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
            return id;
        }));
        var all = spans.Snapshot();

        // Assert: each request's POST starts a trace that reaches an activity of its workflow and a storage call it made.
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{all.Count} spans; by source: {string.Join(", ", all.GroupBy(s => s.Source.Name).Select(g => $"{g.Key} {g.Count()}"))}");
        foreach (var (type, id) in types.Zip(requestIds))
        {
            var post = all.SingleOrDefault(s => s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "/api/requests"
                && s.GetTagItem("http.request.method") as string == "POST" && s.GetTagItem(TelemetryTags.RequestId) as string == id);
            post.ShouldNotBeNull($"{type}: the POST /api/requests span tagged with {id}");
            var trace = all.Where(s => s.TraceId == post.TraceId).ToList();
            if (type == types[0])
            {
                foreach (var s in trace.OrderBy(s => s.StartTimeUtc))
                {
                    output?.WriteLine($"{s.StartTimeUtc:HH:mm:ss.fff} {s.Source.Name} {s.Kind} '{s.DisplayName}' span {s.SpanId} parent {s.ParentSpanId} {string.Join(' ', s.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
                }
            }

            trace.ShouldContain(s => s.Source.Name == "Microsoft.DurableTask" && s.GetTagItem("durabletask.type") as string == "activity" && s.GetTagItem(TelemetryTags.RequestId) as string == id, $"{type}: an activity span of {id} in the POST's trace");
            trace.ShouldContain(s => s.Source.Name.StartsWith("Azure.", StringComparison.Ordinal) && s.GetTagItem(TelemetryTags.RequestId) as string == id, $"{type}: a storage span of {id} in the POST's trace");
            all.Where(s => s.Source.Name == "Microsoft.DurableTask" && s.GetTagItem(TelemetryTags.RequestId) as string == id && s.GetTagItem("durabletask.type") as string != "event")
                .Select(s => s.TraceId).Distinct().ShouldBe([post.TraceId], $"{type}: every workflow span of {id} is in the POST's trace");
        }

        // A later call (a code entered, a task completed) is a trace of its own; the event it raises names the request.
        all.ShouldContain(s => s.GetTagItem("durabletask.type") as string == "event" && requestIds.Contains(s.GetTagItem(TelemetryTags.RequestId) as string));

        // ...and no span holds a participant's or requester's name, address, phone or words, nor a URL's query (a SAS).
        var secrets = DemoData.People.SelectMany(p => new[] { p.Name, p.Email, p.Phone })
            .Concat(subjects.Select(s => s.Email))
            .Concat([words, marker])
            .Concat(DemoData.InterviewTranscript.Split('\n').Select(line => line.Split(": ", 2).Last().Trim()))
            .ToList();
        var scanner = new SpanScanner(secrets);
        using (var planted = new Activity("planted").SetTag("planted", $"to {subjects[0].Email}"))
        {
            scanner.Find(planted).ShouldNotBeEmpty("the scanner finds a value it looks for");
        }

        all.Count.ShouldBeGreaterThan(requestIds.Length * 20);
        all.SelectMany(scanner.Find).ShouldBeEmpty();
        all.SelectMany(s => s.TagObjects).Where(t => t.Value is string v && (v.Contains('?', StringComparison.Ordinal) || v.Contains("sig=", StringComparison.OrdinalIgnoreCase)))
            .Select(t => $"{t.Key}={t.Value}").ShouldBeEmpty("no URL keeps its query");
    }
}
